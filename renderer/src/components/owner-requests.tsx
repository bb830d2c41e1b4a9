import { useEffect } from 'react';
import { describeError } from '../error-messages.js';
import { useTrust } from '../store/trust-store.js';

const POLL_MS = 3000;

const ago = (iso: string) => {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 90 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
};

/**
 * An owner's view of requests to become an owner of this unit: each shows the requester's key and
 * the unit's, to compare with what the requesting companion shows, before Approve or Deny.
 */
export function OwnerRequests({ unitId }: { unitId: string }) {
  const pending = useTrust((s) => s.units[unitId]?.requests ?? null);
  const busy = useTrust((s) => s.units[unitId]?.answering ?? null);
  const failed = useTrust((s) => s.units[unitId]?.requestError ?? null);
  const error = failed ? (describeError(failed).detail ?? describeError(failed).sentence) : null;

  useEffect(() => {
    const load = () => void useTrust.getState().loadRequests(unitId);
    load();
    const timer = setInterval(load, POLL_MS);
    return () => clearInterval(timer);
  }, [unitId]);

  const answer = (requestId: string, approve: boolean) => void useTrust.getState().answerRequest(unitId, requestId, approve);

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
              <button type="button" className="btn btn-primary btn-small" disabled={busy !== null} onClick={() => answer(r.id, true)} data-testid="request-approve">
                Approve as owner
              </button>
              <button type="button" className="btn btn-ghost btn-small" disabled={busy !== null} onClick={() => answer(r.id, false)} data-testid="request-deny">
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
