import { useCallback, useEffect, useState } from 'react';
import type { MethodResult } from '@pitwall/protocol';
import { call } from '../api.js';
import { describeError } from '../error-messages.js';

type Pending = MethodResult<'pairing:requests'>;
const POLL_MS = 3000;

const ago = (iso: string) => {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 90 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
};

/**
 * An owner's view of requests to become an owner of this unit: each shows the requester's key and
 * the unit's, to compare with what the requesting companion shows, before Approve or Deny.
 */
export function OwnerRequests({ unitId, onAnswered }: { unitId: string; onAnswered(): void }) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const res = await call('pairing:requests', { id: unitId });
    if (res.ok) setPending(res.value);
  }, [unitId]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [load]);

  const answer = async (requestId: string, approve: boolean) => {
    setBusy(requestId);
    const res = await call(approve ? 'pairing:approve' : 'pairing:deny', { id: unitId, requestId });
    setBusy(null);
    setError(res.ok ? null : describeError(res.error).detail ?? describeError(res.error).sentence);
    await load();
    onAnswered();
  };

  if (!pending || (pending.requests.length === 0 && !error)) return null;
  return (
    <div className="owner-requests" data-testid="owner-requests">
      <h4>Requests to become an owner</h4>
      <p className="muted">Approve only if the requester&apos;s key matches the one its companion shows, and it shows this unit&apos;s key below.</p>
      <ul>
        {pending.requests.map((r) => (
          <li key={r.id} data-testid="owner-request" data-request-id={r.id}>
            <div className="req-who">
              <strong>{r.operatorName}</strong> <span className="muted">asked {ago(r.requestedAt)}</span>
            </div>
            <dl className="req-keys">
              <dt>Requester&apos;s key</dt>
              <dd className="mono" data-testid="request-key">{r.operatorFingerprint}</dd>
              <dt>This unit&apos;s key</dt>
              <dd className="mono" data-testid="request-unit-key">{pending.unitFingerprint}</dd>
            </dl>
            <div className="req-actions">
              <button type="button" className="btn btn-primary btn-small" disabled={busy !== null} onClick={() => void answer(r.id, true)} data-testid="request-approve">
                Approve as owner
              </button>
              <button type="button" className="btn btn-ghost btn-small" disabled={busy !== null} onClick={() => void answer(r.id, false)} data-testid="request-deny">
                Deny
              </button>
            </div>
          </li>
        ))}
      </ul>
      {error && <p className="inline-error" data-testid="request-error">{error}</p>}
    </div>
  );
}
