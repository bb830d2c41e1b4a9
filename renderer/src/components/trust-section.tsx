import { useCallback, useEffect, useState } from 'react';
import type { DeviceEntry, Operator } from '@pitwall/protocol';
import { call } from '../api.js';
import { describeError } from '../error-messages.js';
import { KeyWarning } from './key-warning.js';
import { OwnerRequests } from './owner-requests.js';
import { PairDialog } from './pair-dialog.js';

/** Pairing in the unit panel: pair, the pinned key, unpair, and (for owners) owner requests and operators with revoke. */
export function TrustSection({ device }: { device: DeviceEntry }) {
  const p = device.pairing;
  const [pairing, setPairing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirmUnpair, setConfirmUnpair] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [operators, setOperators] = useState<Operator[] | null>(null);
  const [me, setMe] = useState<string | null>(null);

  const loadOperators = useCallback(async () => {
    if (p.state !== 'paired' || p.role !== 'owner') return setOperators(null);
    const res = await call('pairing:operators', { id: device.id });
    if (res.ok) setOperators(res.value);
  }, [device.id, p.state, p.role]);

  useEffect(() => {
    void loadOperators();
    void call('operator:identity', {}).then((r) => r.ok && setMe(r.value.fingerprint));
  }, [loadOperators]);

  const unpair = async () => {
    if (!confirmUnpair && p.state === 'paired') return setConfirmUnpair(true);
    setBusy(true);
    const res = await call('pairing:unpair', { id: device.id });
    setBusy(false);
    setConfirmUnpair(false);
    setError(res.ok ? null : describeError(res.error).sentence);
  };
  const revoke = async (fingerprint: string) => {
    const res = await call('pairing:revoke', { id: device.id, fingerprint });
    if (!res.ok) setError(describeError(res.error).detail ?? describeError(res.error).sentence);
    void loadOperators();
  };

  return (
    <>
      {(p.state === 'key-changed' || p.state === 'conflict') && <KeyWarning device={device} onUnpair={() => void unpair()} busy={busy} />}
      {p.state === 'unpaired' && (
        <section className="pair-cta" data-testid="pair-cta">
          <div>
            <h3>This unit is not paired with this computer</h3>
            <p className="muted">Pair it to see live position and speed, and to manage it. Over USB, or over the network with the pairing button on the unit.</p>
          </div>
          <button type="button" className="btn btn-primary" onClick={() => setPairing(true)} disabled={!device.online} data-testid="pair-button">
            Pair this unit
          </button>
        </section>
      )}
      {p.state === 'paired' && (
        <section className="trust-section" data-testid="trust-section">
          <h3>Pairing</h3>
          <div className="trust-row">
            <span className="trust-label">Unit key pinned</span>
            <span className="mono" title="The unit's identity key, pinned at pairing" data-testid="pinned-fp">{p.pinnedFingerprint}</span>
            <span className="muted">as {p.role}</span>
            <button type="button" className={`btn ${confirmUnpair ? 'btn-danger' : 'btn-ghost'}`} onClick={() => void unpair()} onBlur={() => setConfirmUnpair(false)} disabled={busy} data-testid="unpair-button">
              {confirmUnpair ? 'Click again to unpair' : 'Unpair'}
            </button>
          </div>
          {p.role === 'owner' && <OwnerRequests unitId={device.id} onAnswered={() => void loadOperators()} />}
          {operators && (
            <div className="operators" data-testid="operators">
              <h4>Operators with access</h4>
              <ul>
                {operators.map((o) => (
                  <li key={o.fingerprint} className={o.revokedAt ? 'is-revoked' : ''} data-testid="operator-row">
                    <span className="op-name">
                      {o.name}
                      {o.fingerprint === me && <span className="you"> (this computer)</span>}
                    </span>
                    <span className="op-role">{o.role}</span>
                    <span className="mono op-fp" title={o.fingerprint}>{o.fingerprint.slice(0, 19)}…</span>
                    <span className="muted op-via">{o.revokedAt ? 'revoked' : o.via === 'usb' ? 'via USB' : 'via network'}</span>
                    {!o.revokedAt && o.fingerprint !== me ? (
                      <button type="button" className="btn btn-ghost btn-small" onClick={() => void revoke(o.fingerprint)}>
                        Revoke
                      </button>
                    ) : (
                      <span />
                    )}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </section>
      )}
      {error && <p className="inline-error">{error}</p>}
      {pairing && <PairDialog device={device} onClose={() => setPairing(false)} />}
    </>
  );
}
