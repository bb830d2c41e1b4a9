import { useEffect, useState } from 'react';
import type { DeviceEntry, Role } from '@pitwall/protocol';
import { describeError } from '../error-messages.js';
import { useCompanion } from '../store/companion-store.js';
import { usePairing, WAIT_S } from '../store/pairing-store.js';
import { useNow } from '../use-now.js';

const ROLES: { role: Role; label: string; hint: string }[] = [
  { role: 'owner', label: 'Owner', hint: 'Everything, including who else may connect' },
  { role: 'staff', label: 'Team staff', hint: 'Read and control' },
  { role: 'dealer', label: 'Dealer', hint: 'Read and control' },
  { role: 'support', label: 'Support', hint: 'Read only' },
];

/** "Pair this unit": role and way, then USB at once, or "press the pairing button" with a countdown. */
export function PairDialog({ device, onClose }: { device: DeviceEntry; onClose(): void }) {
  const usb = device.links.some((l) => l.kind === 'usb' && l.online);
  const net = device.links.some((l) => l.kind !== 'usb' && l.online);
  const [role, setRole] = useState<Role>(device.pairing.role ?? 'owner');
  const [via, setVia] = useState<'usb' | 'net'>(usb ? 'usb' : 'net');
  const phase = usePairing((s) => s.phase);
  const { open, close, retry, start: startPairing, tick } = usePairing.getState();
  const now = useNow(1000);
  // Both keys are shown while pairing, so a person can compare them with what the owner sees.
  const myKey = useCompanion((s) => s.operatorKey);

  useEffect(() => {
    open(device.id);
    void useCompanion.getState().loadOperatorKey();
    return close;
  }, [device.id]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  // Network: the store polls the unit's pairing window once a second and pairs as soon as the button opened it.
  useEffect(() => {
    if (phase.kind !== 'waiting') return;
    const timer = setInterval(() => void tick(), 1000);
    return () => clearInterval(timer);
  }, [phase.kind]);

  const start = () => void startPairing(via, role);
  const left = phase.kind === 'waiting' ? Math.max(0, WAIT_S - Math.floor((Math.max(now, phase.startedAt) - phase.startedAt) / 1000)) : WAIT_S;
  const err = phase.kind === 'error' ? describeError(phase.error) : null;

  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && phase.kind !== 'pairing' && onClose()}>
      <div className="dialog pair-dialog" role="dialog" aria-modal="true" aria-labelledby="pair-title" data-testid="pair-dialog">
        <h2 id="pair-title">Pair {device.name}</h2>
        {phase.kind === 'choose' && (
          <>
            <p className="dialog-lead">Pairing lets this computer see live data and manage the unit. The unit remembers this computer’s key; this computer pins the unit’s key.</p>
            <fieldset className="choice-group">
              <legend>Role</legend>
              {ROLES.map((r) => (
                <label key={r.role} className={`choice ${role === r.role ? 'is-chosen' : ''}`}>
                  <input type="radio" name="role" value={r.role} checked={role === r.role} onChange={() => setRole(r.role)} data-testid={`role-${r.role}`} />
                  <span className="choice-label">{r.label}</span>
                  <span className="choice-hint">{r.hint}</span>
                </label>
              ))}
            </fieldset>
            <fieldset className="choice-group">
              <legend>Connection</legend>
              <label className={`choice ${via === 'usb' ? 'is-chosen' : ''} ${usb ? '' : 'is-disabled'}`}>
                <input type="radio" name="via" value="usb" checked={via === 'usb'} disabled={!usb} onChange={() => setVia('usb')} data-testid="via-usb" />
                <span className="choice-label">USB cable</span>
                <span className="choice-hint">{usb ? 'Connected now: pairs at once' : 'Not connected by USB'}</span>
              </label>
              <label className={`choice ${via === 'net' ? 'is-chosen' : ''} ${net ? '' : 'is-disabled'}`}>
                <input type="radio" name="via" value="net" checked={via === 'net'} disabled={!net} onChange={() => setVia('net')} data-testid="via-net" />
                <span className="choice-label">Network</span>
                <span className="choice-hint">{net ? 'Needs the pairing button on the unit' : 'No network link right now'}</span>
              </label>
            </fieldset>
            <div className="dialog-actions">
              <button type="button" className="btn btn-ghost" onClick={onClose}>
                Cancel
              </button>
              <button type="button" className="btn btn-primary" onClick={start} disabled={(via === 'usb' && !usb) || (via === 'net' && !net)} data-testid="pair-start">
                Pair as {ROLES.find((r) => r.role === role)?.label.toLowerCase()}
              </button>
            </div>
          </>
        )}
        {phase.kind === 'waiting' && (
          <div className="press-button" data-testid="pair-waiting">
            <div className="countdown" aria-live="polite">
              <svg viewBox="0 0 44 44" aria-hidden="true">
                <circle cx="22" cy="22" r="19" className="ring-bg" />
                <circle cx="22" cy="22" r="19" className="ring" style={{ strokeDashoffset: `${119.4 * (1 - left / WAIT_S)}` }} />
              </svg>
              <span data-testid="pair-countdown">{left}</span>
            </div>
            <div>
              <h3>Press the pairing button on the unit now</h3>
              <p className="muted">Pairing continues by itself once the button is pressed. Waiting up to 2 minutes.</p>
              <KeyPair unitKey={device.pairing.seenFingerprint} unitLabel="Unit key (as discovered)" myKey={myKey} />
            </div>
            <div className="dialog-actions span-all">
              <button type="button" className="btn btn-ghost" onClick={onClose}>
                Cancel
              </button>
            </div>
          </div>
        )}
        {phase.kind === 'pairing' && (
          <div className="state-inline">
            <div className="spinner" aria-hidden="true" /> Pairing…
          </div>
        )}
        {phase.kind === 'done' && (
          <div className="pair-done" data-testid="pair-done">
            <div className="done-mark" aria-hidden="true">✓</div>
            <div>
              <h3>Paired as {phase.role}</h3>
              <KeyPair unitKey={phase.fingerprint} unitLabel="Unit key pinned" myKey={phase.operatorFingerprint} />
            </div>
            <div className="dialog-actions span-all">
              <button type="button" className="btn btn-primary" onClick={onClose} data-testid="pair-close">
                Done
              </button>
            </div>
          </div>
        )}
        {phase.kind === 'error' && err && (
          <>
            <div className="alert alert-error" role="alert" data-testid="pair-error">
              <strong>{err.sentence}</strong>
              {err.detail && <span>{err.detail}</span>}
            </div>
            <div className="dialog-actions">
              <button type="button" className="btn btn-ghost" onClick={onClose}>
                Close
              </button>
              <button type="button" className="btn btn-primary" onClick={retry}>
                Try again
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}

/** The unit's key and this computer's key, labelled, for the person pairing to compare. */
function KeyPair({ unitKey, unitLabel, myKey }: { unitKey: string | null; unitLabel: string; myKey: string | null }) {
  return (
    <dl className="key-pair" data-testid="pair-keys">
      <dt className="muted">{unitLabel}</dt>
      <dd className="mono fp" data-testid="pair-unit-key">{unitKey ?? 'not seen yet'}</dd>
      <dt className="muted">This computer’s key</dt>
      <dd className="mono fp" data-testid="pair-my-key">{myKey ?? '…'}</dd>
    </dl>
  );
}
