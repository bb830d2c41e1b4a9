import { ago } from '../../format.js';
import { useHub } from '../../store/hub-store.js';

const clock = (ms: number) => new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** One line of where the hub link stands: the last sync and what it brought, or why it failed, in a sentence. */
export function HubStatusLine({ now }: { now: number }) {
  const { status, progress, error } = useHub();
  if (!status?.connection) return error ? <p className="alert alert-error" role="alert" data-testid="hub-error">{error.message}</p> : null;
  const queued = status.queue.length;
  const changed = status.groups.filter((g) => g.chosen && g.changed !== null).reduce((n, g) => n + (g.changed ?? 0), 0);
  return (
    <div className="hub-status" data-testid="hub-status">
      {progress ? (
        <div className="sync-progress" data-testid="hub-progress">
          <span className="bar">
            <span style={{ width: `${Math.max(6, progress.total ? Math.round((100 * (progress.done + 0.5)) / progress.total) : 50)}%` }} />
          </span>
          <span className="small">
            {progress.label}
            {progress.total > 1 ? ` (${progress.done + 1} of ${progress.total})` : ''}…
          </span>
        </div>
      ) : status.offline ? (
        <p className="alert-warn" data-testid="hub-offline">
          {status.problem} {queued > 0 ? `${queued} ${queued === 1 ? 'session stays' : 'sessions stay'} queued here` : 'Nothing is lost'}
          {status.retryAt ? `; trying again at ${clock(status.retryAt)}.` : '.'}
        </p>
      ) : status.problem ? (
        <p className="alert alert-error" role="alert" data-testid="hub-problem">
          {status.problem}
        </p>
      ) : (
        <p className="dim" data-testid="hub-last-sync">
          {status.lastSyncAt
            ? `Last sync ${ago(status.lastSyncAt, now)}: ${status.lastShared} session${status.lastShared === 1 ? '' : 's'} shared, ${changed} new or changed in your groups.${queued ? ` ${queued} queued.` : ''}`
            : 'Connected, not synced yet: choose your groups, then Sync now.'}
        </p>
      )}
      {error && error.message !== status.problem && (
        <p className="alert alert-error" role="alert" data-testid="hub-error">
          {error.message}
        </p>
      )}
    </div>
  );
}
