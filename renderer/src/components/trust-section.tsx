import { useEffect, useState } from 'react';
import type { DeviceEntry } from '@pitwall/protocol';
import { describeError } from '../error-messages.js';
import { useCompanion } from '../store/companion-store.js';
import { useTrust } from '../store/trust-store.js';
import { KeyWarning } from './key-warning.js';
import { OwnerRequests } from './owner-requests.js';
import { PairDialog } from './pair-dialog.js';

/** Pairing in the unit panel: pair, the pinned key, unpair, and (for owners) owner requests and operators with revoke. */
export function TrustSection({ device }: { device: DeviceEntry }) {
  const p = device.pairing;
  const owner = p.state === 'paired' && p.role === 'owner';
  const [pairing, setPairing] = useState(false);
  const [confirmUnpair, setConfirmUnpair] = useState(false);
  const trust = useTrust((s) => s.units[device.id]);
  const me = useCompanion((s) => s.operatorKey);
  const operators = owner ? (trust?.operators ?? null) : null;
  const busy = trust?.unpairing ?? false;
  const failed = trust?.error ?? null;
  const error = failed ? (failed.action === 'unpair' ? describeError(failed.error).sentence : (describeError(failed.error).detail ?? describeError(failed.error).sentence)) : null;

  useEffect(() => {
    if (owner) void useTrust.getState().loadOperators(device.id);
    void useCompanion.getState().loadOperatorKey();
  }, [device.id, owner]);

  const unpair = async () => {
    if (!confirmUnpair && p.state === 'paired') return setConfirmUnpair(true);
    await useTrust.getState().unpair(device.id);
    setConfirmUnpair(false);
  };
  const revoke = (fingerprint: string) => void useTrust.getState().revoke(device.id, fingerprint);

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
          {p.role === 'owner' && <OwnerRequests unitId={device.id} />}
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
                      <button type="button" className="btn btn-ghost btn-small" onClick={() => revoke(o.fingerprint)}>
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
