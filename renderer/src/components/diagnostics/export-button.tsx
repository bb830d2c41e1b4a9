import type { MethodResult } from '@pitwall/protocol';
import { describeError } from '../../error-messages.js';
import { useDiagnostics } from '../../store/diagnostics-store.js';

/** The sentence under the button after an export: where the archive went and what it lacks. */
function savedNote(r: MethodResult<'diagnostics:export'>): string {
  const kb = Math.max(1, Math.round(r.bytes / 1024));
  const audit = { included: '', 'not-served': ' (audit log not served by the unit)', unavailable: ' (audit log not included: see the note in the archive)' }[r.auditLog];
  const rotated = r.auditRotatedAway > 0 ? ` (the unit had rotated away its ${r.auditRotatedAway.toLocaleString()} oldest audit records)` : '';
  return `Saved ${kb.toLocaleString()} KB: ${r.path}${audit}${rotated}`;
}

/** Writes the unit's diagnostics archive into the companion's exports folder and says where. */
export function ExportButton({ unitId, compact }: { unitId: string; compact?: boolean }) {
  const exp = useDiagnostics((s) => s.exports[unitId]);
  const state = {
    busy: exp?.busy ?? false,
    bad: Boolean(exp?.error),
    note: exp?.result ? savedNote(exp.result) : exp?.error ? (describeError(exp.error).detail ?? describeError(exp.error).sentence) : null,
  };
  const run = () => useDiagnostics.getState().exportArchive(unitId);
  return (
    <span className="export-box">
      <button type="button" className={`btn btn-ghost ${compact ? 'btn-small' : ''}`} disabled={state.busy} onClick={(e) => (e.stopPropagation(), void run())} data-testid="export-button">
        {state.busy ? 'Exporting…' : 'Export'}
      </button>
      {state.note && (
        <span className={`export-note ${state.bad ? 'is-bad' : ''}`} title={state.note} data-testid="export-note">
          {state.note}
        </span>
      )}
    </span>
  );
}
