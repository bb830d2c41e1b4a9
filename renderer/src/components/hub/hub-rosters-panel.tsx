import { useEffect } from 'react';
import { useHubRosters } from '../../store/hub-rosters-store.js';
import { HubRosterCard } from './hub-roster-card.js';

/**
 * The rosters of the hub's groups as this laptop holds them: edited here offline if need be,
 * pushed and merged by Sync rosters; what merges brought from other laptops or the hub is listed
 * under each group, and changing it is one more edit.
 */
export function HubRostersPanel({ hubKey }: { hubKey: string }) {
  const { status, load, busy, error, sync } = useHubRosters();
  useEffect(() => void load(), [load, hubKey]);
  const rosters = status?.rosters ?? [];
  const known = new Map(rosters.flatMap((r) => r.members.flatMap((m) => (m.name ? [[m.memberId, m.name] as const] : []))));
  const pending = rosters.filter((r) => r.pending).length;
  return (
    <section className="hub-card" data-testid="hub-rosters">
      <h3 className="section-title">Group rosters</h3>
      {rosters.length === 0 ? (
        <p className="hint">No roster is held here yet: Sync rosters brings the groups you may read.</p>
      ) : (
        <ul className="hub-unit-list">
          {rosters.map((r) => (
            <HubRosterCard key={r.groupId} r={r} known={known} />
          ))}
        </ul>
      )}
      <div className="hub-actions">
        <button type="button" className="btn btn-primary" disabled={busy !== null} onClick={() => void sync()} data-testid="hub-rosters-sync">
          {busy?.method === 'hub:rosters-sync' ? 'Syncing rosters…' : pending ? `Sync rosters (${pending} with edits to push)` : 'Sync rosters'}
        </button>
      </div>
      {status?.lastSync && !(error && !error.groupId) && (
        <p className="dim small" data-testid="hub-rosters-last-sync">
          {status.lastSync}
        </p>
      )}
      {error && !error.groupId && (
        <p className="tone-bad small" role="alert" data-testid="hub-rosters-error">
          {error.message}
        </p>
      )}
    </section>
  );
}
