import { useEffect, useState } from 'react';
import type { CallError, LogDetail } from '@pitwall/protocol';
import { call } from '../../api.js';
import { describeError } from '../../error-messages.js';

const ORDER = ['time', 'level', 'subsystem', 'msg', 'unit', 'boot', 'seq', 'fw', 'commit'];

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}

/** Every field of one stored record (fixed fields first, then the record's own context fields). */
export function LogDetailPanel({ id, onClose }: { id: number; onClose(): void }) {
  const [detail, setDetail] = useState<LogDetail | null>(null);
  const [error, setError] = useState<CallError | null>(null);
  useEffect(() => {
    let live = true;
    setDetail(null);
    void call('logs:record', { id }).then((res) => {
      if (!live) return;
      if (res.ok) setDetail(res.value);
      else setError(res.error);
    });
    return () => {
      live = false;
    };
  }, [id]);
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
