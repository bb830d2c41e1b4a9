import { useState } from 'react';
import { call } from '../../api.js';
import { describeError } from '../../error-messages.js';

/** Writes the unit's diagnostics archive into the companion's exports folder and says where. */
export function ExportButton({ unitId, compact }: { unitId: string; compact?: boolean }) {
  const [state, setState] = useState<{ busy: boolean; note: string | null; bad: boolean }>({ busy: false, note: null, bad: false });
  const run = async (): Promise<void> => {
    setState({ busy: true, note: null, bad: false });
    const res = await call('diagnostics:export', { id: unitId });
    if (res.ok) {
      const kb = Math.max(1, Math.round(res.value.bytes / 1024));
      const audit = { included: '', 'not-served': ' (audit log not served by the unit)', unavailable: ' (audit log not included: see the note in the archive)' }[res.value.auditLog];
      const rotated = res.value.auditRotatedAway > 0 ? ` (the unit had rotated away its ${res.value.auditRotatedAway.toLocaleString()} oldest audit records)` : '';
      setState({ busy: false, bad: false, note: `Saved ${kb.toLocaleString()} KB: ${res.value.path}${audit}${rotated}` });
    } else setState({ busy: false, bad: true, note: describeError(res.error).detail ?? describeError(res.error).sentence });
  };
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
