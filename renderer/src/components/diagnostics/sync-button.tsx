import { useShallow } from 'zustand/react/shallow';
import { describeError } from '../../error-messages.js';
import { useDevices } from '../../store/devices-store.js';
import { useDiagnostics } from '../../store/diagnostics-store.js';

/** "Pull diagnostics" from every paired online unit, with per-unit progress while it runs. */
export function SyncButton() {
  const { syncing, progress, sync, lastResults, syncError } = useDiagnostics(
    useShallow((s) => ({ syncing: s.syncing, progress: s.progress, sync: s.sync, lastResults: s.lastResults, syncError: s.syncError })),
  );
  const devices = useDevices((s) => s.devices);
  const name = (id: string) => devices.find((d) => d.id === id)?.name ?? id.slice(0, 8);
  const running = Object.values(progress).filter((p) => p.phase !== 'done' && p.phase !== 'failed');
  const failed = lastResults?.filter((r) => !r.ok) ?? [];
  let note: string | null = null;
  if (syncing && running.length > 0) {
    note = running
      .slice(0, 3)
      .map((p) => `${name(p.unitId)}: ${p.phase}${p.total > 0 ? ` ${Math.round((p.done / p.total) * 100)}%` : ''}`)
      .join(' · ');
  } else if (syncError) note = describeError(syncError).sentence;
  else if (lastResults) {
    const logs = lastResults.reduce((n, r) => n + r.logs, 0);
    note = lastResults.length === 0 ? 'No paired unit online to pull from.' : `Pulled ${logs.toLocaleString()} records from ${lastResults.length - failed.length} of ${lastResults.length} units`;
  }
  return (
    <div className="sync-box">
      {note && (
        <span className={`sync-note ${failed.length || syncError ? 'is-bad' : ''}`} data-testid="sync-note" title={failed.map((f) => `${name(f.unitId)}: ${f.error}`).join('\n')}>
          {note}
          {failed.length > 0 && !syncing ? ` · ${failed.length} failed` : ''}
        </span>
      )}
      <button type="button" className="btn btn-primary" disabled={syncing} onClick={() => void sync()} data-testid="sync-button">
        {syncing ? 'Pulling…' : 'Pull diagnostics'}
      </button>
    </div>
  );
}
