import { useCallback, useEffect, useState } from 'react';
import type { MethodResult } from '@pitwall/protocol';
import { call } from '../api.js';
import { describeError } from '../error-messages.js';
import { featureGate, type Gate } from '../license/license-gates.js';
import { useLicenses } from '../store/license-store.js';
import { GatedBlock } from './feature-gate.js';
import { SupportExportBrowser } from './support-export-browser.js';

type Status = MethodResult<'support:status'>;
const POLL_MS = 3000;
const DURATIONS = [
  { s: 30 * 60, label: '30 minutes' },
  { s: 60 * 60, label: '1 hour' },
  { s: 2 * 3600, label: '2 hours' },
  { s: 4 * 3600, label: '4 hours' },
  { s: 8 * 3600, label: '8 hours' },
];
const TUNNEL = { down: 'not connected', connecting: 'connecting to the relay…', up: 'connected to the relay', backoff: 'relay unreachable, retrying' } as const;

const left = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min` : s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`);

/**
 * Support mode of a paired unit: on for a chosen time (the unit lets only an owner do that), the
 * time left, the tunnel to the relay, and what the relay needs to let support staff in.
 */
export function SupportSection({ unitId }: { unitId: string }) {
  const onGate = featureGate(useLicenses((s) => s.views[unitId]?.status), 'support-mode');
  const [status, setStatus] = useState<Status | null>(null);
  const [durationS, setDurationS] = useState(3600);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [shownAt, setShownAt] = useState(0);
  const [now, setNow] = useState(Date.now());

  const load = useCallback(async () => {
    const res = await call('support:status', { id: unitId });
    if (!res.ok) return;
    setStatus(res.value);
    setShownAt(Date.now());
  }, [unitId]);

  useEffect(() => {
    void load();
    const poll = setInterval(() => void load(), POLL_MS);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(poll);
      clearInterval(tick);
    };
  }, [load]);

  const turn = async (on: boolean) => {
    setBusy(true);
    const res = on ? await call('support:on', { id: unitId, durationS }) : await call('support:off', { id: unitId });
    setBusy(false);
    if (res.ok) {
      setStatus(res.value);
      setShownAt(Date.now());
      setError(null);
    } else {
      const e = describeError(res.error);
      setError(e.detail ? `${e.sentence} (${e.detail})` : e.sentence);
    }
  };

  if (!status) return null;
  const remaining = status.on ? Math.max(0, status.remainingS - Math.floor((now - shownAt) / 1000)) : 0;
  return <SupportView unitId={unitId} status={status} remainingS={remaining} onGate={onGate} busy={busy} durationS={durationS} onDuration={setDurationS} onTurn={(on) => void turn(on)} error={error} />;
}

export interface SupportViewProps {
  unitId: string;
  status: Status;
  remainingS: number;
  /** The licence's gate for turning support on: off and status are never gated (ending support is always safe). */
  onGate: Gate;
  busy: boolean;
  durationS: number;
  onDuration(s: number): void;
  onTurn(on: boolean): void;
  error: string | null;
}

/** The support section as shown, from its state. */
export function SupportView({ unitId, status, remainingS, onGate, busy, durationS, onDuration, onTurn, error }: SupportViewProps) {
  return (
    <section className="support-section" data-testid="support-section" data-on={status.on}>
      <h3>Remote support</h3>
      {status.on ? (
        <>
          <p data-testid="support-state">
            <strong>On</strong> ({status.by === 'switch' ? 'support switch on the unit' : 'turned on by an owner'}) · <span data-testid="support-left">{left(remainingS)}</span> left
          </p>
          <p className={`support-tunnel tunnel-${status.tunnel}`} data-testid="support-tunnel">
            Tunnel: {TUNNEL[status.tunnel]}
            {status.relay && <span className="muted mono"> {status.relay.host}:{status.relay.port}</span>}
          </p>
          {status.relay && status.supportKey && (
            <details className="support-keys">
              <summary>Relay registration and export key</summary>
              <p className="muted">On the relay, authorise this unit&apos;s key for this session:</p>
              <pre className="mono" data-testid="support-register">{`echo '${status.supportKey}' | register-unit-key.sh add --unit ${unitId} --port ${status.relay.listenPort} --until ${status.expiresAt}`}</pre>
              {status.exportHostKey && (
                <p className="muted">
                  Export host key (pin as [127.0.0.1]:{status.relay.listenPort}): <span className="mono">{status.exportHostKey}</span>
                </p>
              )}
            </details>
          )}
          {status.tunnel === 'up' && status.relay && <SupportExportBrowser unitId={unitId} listenPort={status.relay.listenPort} />}
          <button type="button" className="btn btn-danger btn-small" disabled={busy} onClick={() => onTurn(false)} data-testid="support-off">
            Turn support off now
          </button>
        </>
      ) : (
        <>
          <p className="muted" data-testid="support-state">
            Off. Support staff can read this unit&apos;s logs, health, crash dumps and settings (read only) only while it is on.
          </p>
          {status.relay ? (
            <GatedBlock gate={onGate} feature="support-mode" what="Turning support on">
              <div className="support-on">
                <label>
                  For{' '}
                  <select value={durationS} onChange={(e) => onDuration(Number(e.target.value))} data-testid="support-duration" disabled={busy}>
                    {DURATIONS.map((d) => (
                      <option key={d.s} value={d.s}>
                        {d.label}
                      </option>
                    ))}
                  </select>
                </label>
                <button type="button" className="btn btn-primary btn-small" disabled={busy} onClick={() => onTurn(true)} data-testid="support-on">
                  Turn support on
                </button>
              </div>
            </GatedBlock>
          ) : (
            <p className="muted">No support relay is set on this unit.</p>
          )}
        </>
      )}
      {status.lastError && status.on && <p className="muted" data-testid="support-last-error">Last problem: {status.lastError}</p>}
      {error && (
        <p className="inline-error" data-testid="support-error">
          {error}
        </p>
      )}
    </section>
  );
}
