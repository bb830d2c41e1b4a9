import { useMemo, useState } from 'react';
import type { SessionListEntry } from '@pitwall/protocol';
import { lapTime } from '../../format.js';
import { useHub } from '../../store/hub-store.js';

const when = (ms: number) => new Date(ms).toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const sessionLabel = (s: SessionListEntry) => `${s.trackName ?? 'no track'} · ${when(s.startedAt)} · ${s.laps} laps${s.bestLapMs === null ? '' : ` · best ${lapTime(s.bestLapMs)}`}`;

/**
 * Sessions of this store to share, and the groups to share them with (those where this member
 * drives or coaches). Shared sessions wait in a queue until the hub has taken them.
 */
export function HubSharePanel() {
  const { status, sessions, run, busy } = useHub();
  const [picked, setPicked] = useState<number[]>([]);
  const [groups, setGroups] = useState<string[] | null>(null);
  const sharable = useMemo(() => (status?.groups ?? []).filter((g) => g.role !== 'analyst'), [status?.groups]);
  const into = groups ?? sharable.map((g) => g.groupId);
  const queued = new Set((status?.queue ?? []).map((q) => q.session));
  const groupName = (id: string) => status?.groups.find((g) => g.groupId === id)?.name ?? 'a group you left';
  const sharedWith = new Map((status?.shared ?? []).map((s) => [s.session, s.groups.map(groupName).join(', ')]));
  const flip = <T,>(list: T[], x: T) => (list.includes(x) ? list.filter((y) => y !== x) : [...list, x]);
  const share = async () => {
    if (await run('hub:share', { sessions: picked, groups: into })) setPicked([]);
  };
  const byTime = [...sessions].sort((a, b) => b.startedAt - a.startedAt);
  return (
    <section className="hub-card hub-share" data-testid="hub-share">
      <h3 className="section-title">Share sessions</h3>
      {byTime.length === 0 ? (
        <p className="hint">No sessions in this computer’s store yet: sync them from a unit on the Sessions screen.</p>
      ) : (
        <ul className="hub-session-list">
          {byTime.map((s) => (
            <li key={s.id}>
              <label>
                <input type="checkbox" checked={picked.includes(s.id)} onChange={() => setPicked(flip(picked, s.id))} data-testid="hub-share-session" />
                <span>
                  <strong>{s.driver ?? s.unitName}</strong> <span className="dim">{sessionLabel(s)}</span>
                </span>
                {queued.has(s.id) ? (
                  <span className="hub-chip">queued</span>
                ) : (
                  sharedWith.has(s.id) && (
                    <span className="hub-chip is-shared" data-testid="hub-shared-with">
                      shared · {sharedWith.get(s.id)}
                    </span>
                  )
                )}
              </label>
            </li>
          ))}
        </ul>
      )}
      {sharable.length > 0 && (
        <fieldset className="hub-share-groups">
          <legend>With</legend>
          {sharable.map((g) => (
            <label key={g.groupId}>
              <input type="checkbox" checked={into.includes(g.groupId)} onChange={() => setGroups(flip(into, g.groupId))} data-testid="hub-share-group" /> {g.name}
            </label>
          ))}
        </fieldset>
      )}
      <div className="hub-actions">
        <button type="button" className="btn btn-primary" disabled={busy !== null || picked.length === 0 || into.length === 0} onClick={() => void share()} data-testid="hub-share-button">
          {busy === 'hub:share' ? 'Sharing…' : `Share ${picked.length || ''} session${picked.length === 1 ? '' : 's'}`.replace('  ', ' ')}
        </button>
        {sharable.length === 0 && (status?.groups.length ?? 0) > 0 && <span className="hint">You only read in your groups: drivers and coaches share.</span>}
        {picked.some((id) => sharedWith.has(id)) && <span className="hint small">Sharing a session again replaces the groups it is shared with.</span>}
      </div>
      {(status?.queue.length ?? 0) > 0 && (
        <div className="hub-queue" data-testid="hub-queue">
          <h4>Waiting to be shared</h4>
          <ul>
            {status!.queue.map((q) => (
              <li key={q.session} data-testid="hub-queued">
                <span>{q.label}</span>
                <span className="dim"> → {q.groups.map(groupName).join(', ')}</span>
                {q.error && <span className="tone-bad small"> {q.error}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
