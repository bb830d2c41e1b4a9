import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { DeviceEntry } from '@pitwall/protocol';
import { describeError } from '../error-messages.js';
import { useDevices } from '../store/devices-store.js';
import { validateAddress } from './address-validation.js';

export function AddAddressDialog({ onClose, onAdded }: { onClose(): void; onAdded(device: DeviceEntry): void }) {
  const addAddress = useDevices((s) => s.addAddress);
  const [value, setValue] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<{ sentence: string; detail: string | null } | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    input.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const localError = touched ? validateAddress(value) : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    setServerError(null);
    if (validateAddress(value)) return;
    setBusy(true);
    const res = await addAddress(value.trim());
    setBusy(false);
    if (res.ok) onAdded(res.device);
    else setServerError(describeError(res.error));
  };

  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && !busy && onClose()}>
      <form className="dialog" role="dialog" aria-modal="true" aria-labelledby="add-title" onSubmit={(e) => void submit(e)} noValidate data-testid="add-address-dialog">
        <h2 id="add-title">Add a unit by address</h2>
        <p className="dialog-lead">
          Use this when the unit does not show up by itself, for example on venue Wi-Fi that blocks discovery. The address and port are on the unit’s
          network screen.
        </p>
        <label htmlFor="address-input">Address</label>
        <input
          id="address-input"
          ref={input}
          className={`text-input mono ${localError ? 'is-invalid' : ''}`}
          placeholder="192.168.4.20:8080"
          value={value}
          autoComplete="off"
          spellCheck={false}
          maxLength={255}
          aria-invalid={localError ? true : undefined}
          aria-describedby="address-help"
          onChange={(e) => {
            setValue(e.target.value);
            setServerError(null);
          }}
          onBlur={() => value !== '' && setTouched(true)}
          data-testid="address-input"
        />
        <div id="address-help" className="field-help" aria-live="polite">
          {localError ? (
            <span className="field-error" data-testid="address-error">
              {localError}
            </span>
          ) : (
            <span className="muted">HOST:PORT — an IP address or host name, then the port (8080 when left out).</span>
          )}
        </div>
        {serverError && (
          <div className="alert alert-error" role="alert" data-testid="address-server-error">
            <strong>{serverError.sentence}</strong>
            {serverError.detail && <span>{serverError.detail}</span>}
          </div>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="address-submit">
            {busy ? 'Contacting unit…' : 'Add unit'}
          </button>
        </div>
      </form>
    </div>
  );
}
