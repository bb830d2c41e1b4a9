import type { HubGroupState } from '@pitwall/protocol';
import { useHub } from '../../store/hub-store.js';
import { ago } from '../../format.js';

const ROLE: Record<HubGroupState['role'], string> = { coach: 'Coach', driver: 'Driver', analyst: 'Analyst' };

function groupLine(g: HubGroupState, now: number): string {
  if (g.error) return g.error;
  if (g.lastSyncAt === null) return g.chosen ? 'not synced yet' : 'not synced';
  return `synced ${ago(g.lastSyncAt, now)} · ${g.changed ?? 0} session${g.changed === 1 ? '' : 's'} new or changed`;
}

/** The groups this member is in on the hub, their role in each, and which to keep synced here. */
export function HubGroupsPanel({ now }: { now: number }) {
  const { status, run, busy } = useHub();
  const groups = status?.groups ?? [];
  const chosen = groups.filter((g) => g.chosen).map((g) => g.groupId);
  const toggle = (id: string) => void run('hub:choose-groups', { groupIds: chosen.includes(id) ? chosen.filter((x) => x !== id) : [...chosen, id] });
  return (
    <section className="hub-card" data-testid="hub-groups">
      <h3 className="section-title">My groups</h3>
      {groups.length === 0 ? (
        <p className="hint">You are in no group on this hub yet. An academy admin or a group’s coach adds members to groups.</p>
      ) : (
        <ul className="hub-group-list">
          {groups.map((g) => (
            <li key={g.groupId} className={g.error ? 'has-error' : ''} data-testid="hub-group">
              <label>
                <input type="checkbox" checked={g.chosen} disabled={busy !== null} onChange={() => toggle(g.groupId)} data-testid="hub-group-choose" />
                <strong>{g.name}</strong>
              </label>
              <span className={`hub-role role-${g.role}`}>{ROLE[g.role]}</span>
              <span className={g.error ? 'tone-bad small' : 'dim small'} data-testid="hub-group-sync">
                {groupLine(g, now)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <p className="hint small">Ticked groups are synced here: their sessions feed the Fleet screen, also offline.</p>
    </section>
  );
}
