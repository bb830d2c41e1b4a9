import { describeError } from '../../error-messages.js';
import { useLogs } from '../../store/logs-store.js';

const ORDER = ['time', 'level', 'subsystem', 'msg', 'unit', 'boot', 'seq', 'fw', 'commit'];

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}

/** Every field of one stored record (fixed fields first, then the record's own context fields). */
export function LogDetailPanel({ onClose }: { onClose(): void }) {
  const detail = useLogs((s) => s.detail);
  const error = useLogs((s) => s.detailError);
  const rec = detail?.record as Record<string, unknown> | undefined;
  const keys = rec ? [...ORDER.filter((k) => k in rec), ...Object.keys(rec).filter((k) => !ORDER.includes(k)).sort()] : [];
  return (
    <aside className="log-detail" data-testid="log-detail" aria-label="Log record">
      <div className="detail-head">
        <h3>Record {rec ? `#${String(rec.seq)}` : ''}</h3>
        <button type="button" className="btn btn-ghost btn-small" onClick={onClose}>
          Close
        </button>
      </div>
      {error && <p className="inline-error">{describeError(error).sentence}</p>}
      {detail && (
        <>
          <p className="detail-unit">{detail.unitName}</p>
          <dl className="field-list">
            {keys.map((k) => (
              <div key={k} className={ORDER.includes(k) ? '' : 'is-extra'}>
                <dt>{k}</dt>
                <dd className={typeof rec![k] === 'object' ? 'mono pre' : k === 'msg' ? '' : 'mono'}>{show(rec![k])}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </aside>
  );
}
