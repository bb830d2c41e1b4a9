import { useCallback, useEffect, useState } from 'react';
import type { DeviceEntry, WifiAddRequest, WifiNetwork, WifiProfile, WifiStatus } from '@pitwall/protocol';
import { call } from '../api.js';
import { describeError } from '../error-messages.js';

const BARS = ['▂', '▂▄', '▂▄▆', '▂▄▆█'];
const bars = (signal: number) => BARS[Math.min(3, Math.max(0, Math.ceil(signal / 25) - 1))]!;
const netName = (n: { ssid: string | null; ssidHex: string; hidden: boolean }) => (n.hidden ? '(hidden network)' : (n.ssid ?? `hex ${n.ssidHex}`));

/**
 * The unit's Wi-Fi in its panel (owner and dealer change it, staff see it): mode and latch,
 * the networks in range with signal bars, the saved networks in priority order (arrows reorder
 * them), and a form to add one. The password field is cleared once sent and never shown back.
 */
export function WifiSection({ device }: { device: DeviceEntry }) {
  const id = device.id;
  const canChange = device.pairing.state === 'paired' && (device.pairing.role === 'owner' || device.pairing.role === 'dealer');
  const [status, setStatus] = useState<WifiStatus | null>(null);
  const [networks, setNetworks] = useState<WifiNetwork[] | null>(null);
  const [profiles, setProfiles] = useState<WifiProfile[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [ssid, setSsid] = useState('');
  const [password, setPassword] = useState('');
  const [security, setSecurity] = useState<WifiAddRequest['security']>('wpa2-personal');
  const [hidden, setHidden] = useState(false);

  const fail = (e: Parameters<typeof describeError>[0]) => setError(describeError(e).detail ?? describeError(e).sentence);
  const load = useCallback(async () => {
    const [s, p] = await Promise.all([call('wifi:status', { unitId: id }), call('wifi:list', { unitId: id })]);
    if (s.ok) setStatus(s.value);
    if (p.ok) setProfiles(p.value.profiles);
    if (!s.ok) fail(s.error);
  }, [id]);
  useEffect(() => void load(), [load]);

  const run = async (fn: () => Promise<{ ok: boolean; error?: Parameters<typeof describeError>[0] }>) => {
    setBusy(true);
    setError(null);
    const res = await fn();
    setBusy(false);
    if (!res.ok && res.error) fail(res.error);
    await load();
    return res.ok;
  };
  const scan = async () => {
    setBusy(true);
    const res = await call('wifi:scan', { unitId: id, rescan: true });
    setBusy(false);
    if (res.ok) setNetworks(res.value.networks);
    else fail(res.error);
  };
  const add = async () => {
    const network: WifiAddRequest = { ssid, security, ...(security === 'open' ? {} : { password }), ...(hidden ? { hidden } : {}) };
    setPassword('');
    if (await run(() => call('wifi:add', { unitId: id, network }))) setSsid('');
  };
  const clients = profiles.filter((p) => p.kind === 'client' || p.kind === 'other');
  const move = (p: WifiProfile, up: boolean) => {
    const i = clients.indexOf(p);
    const other = clients[up ? i - 1 : i + 1];
    if (!other) return;
    const priority = Math.max(-999, Math.min(998, other.priority + (up ? 1 : -1)));
    void run(() => call('wifi:priority', { unitId: id, uuid: p.uuid, priority }));
  };

  return (
    <section className="wifi-section" data-testid="wifi-section">
      <h3>Wi-Fi</h3>
      {status && (
        <div className="wifi-status" data-testid="wifi-status">
          <p>
            <strong data-testid="wifi-mode">{status.mode === 'hotspot' ? 'Hotspot' : 'Client'}</strong> <span className="muted">— {status.reason}</span>
          </p>
          {status.latch.now !== status.latch.atBoot && (
            <p className="inline-warning" data-testid="wifi-latch-pending">
              The hotspot latch now asks for {status.latch.now} mode: it applies at the next restart.
            </p>
          )}
          <p data-testid="wifi-link">
            {status.connected ? `${status.mode === 'hotspot' ? 'Serving' : 'Connected to'} ${status.ssid ?? status.ssidHex ?? '?'}${status.signal === null ? '' : ` ${bars(status.signal)} ${status.signal}%`} · ${status.address ?? 'no address yet'}` : 'Not connected'}
            {status.connectTimeMs !== null && <span className="muted"> · last connect {(status.connectTimeMs / 1000).toFixed(1)} s</span>}
          </p>
        </div>
      )}
      <div className="wifi-cols">
        <div>
          <h4>Saved networks</h4>
          {profiles.length === 0 && <p className="muted">None saved.</p>}
          <ol className="wifi-profiles">
            {profiles.map((p) => (
              <li key={p.uuid} data-testid="wifi-profile" data-uuid={p.uuid}>
                <span className="wifi-prio mono">{p.priority}</span> <span>{p.name}</span> {p.kind === 'support' && <span className="badge">support · always first</span>} {p.active && <span className="badge badge-ok">active</span>}
                {canChange && p.kind !== 'hotspot' && (
                  <span className="wifi-actions">
                    {p.kind !== 'support' && (
                      <>
                        <button type="button" className="btn btn-ghost btn-small" aria-label={`Move ${p.name} up`} disabled={busy || clients.indexOf(p) === 0} onClick={() => move(p, true)}>
                          ↑
                        </button>
                        <button type="button" className="btn btn-ghost btn-small" aria-label={`Move ${p.name} down`} disabled={busy || clients.indexOf(p) === clients.length - 1} onClick={() => move(p, false)}>
                          ↓
                        </button>
                      </>
                    )}
                    <button type="button" className="btn btn-ghost btn-small" disabled={busy || status?.mode === 'hotspot'} onClick={() => void run(() => call('wifi:connect', { unitId: id, uuid: p.uuid }))} data-testid="wifi-connect">
                      Connect
                    </button>
                    <button type="button" className="btn btn-ghost btn-small" disabled={busy} onClick={() => void run(() => call('wifi:remove', { unitId: id, uuid: p.uuid }))} data-testid="wifi-remove">
                      Remove
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ol>
          {canChange && (
            <form
              className="wifi-add"
              data-testid="wifi-add"
              onSubmit={(e) => {
                e.preventDefault();
                void add();
              }}
            >
              <input aria-label="Network name" placeholder="Network name" value={ssid} maxLength={32} onChange={(e) => setSsid(e.target.value)} data-testid="wifi-ssid" />
              <select aria-label="Security" value={security} onChange={(e) => setSecurity(e.target.value as WifiAddRequest['security'])}>
                <option value="wpa2-personal">WPA2</option>
                <option value="wpa3-personal">WPA3</option>
                <option value="open">Open</option>
              </select>
              {security !== 'open' && <input type="password" aria-label="Password" placeholder="Password" autoComplete="off" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="wifi-password" />}
              <label>
                <input type="checkbox" checked={hidden} onChange={(e) => setHidden(e.target.checked)} /> hidden
              </label>
              <button type="submit" className="btn btn-primary btn-small" disabled={busy || ssid === ''} data-testid="wifi-save">
                Save
              </button>
            </form>
          )}
        </div>
        <div>
          <h4>
            In range{' '}
            <button type="button" className="btn btn-ghost btn-small" disabled={busy} onClick={() => void scan()} data-testid="wifi-scan">
              Scan
            </button>
          </h4>
          {networks && (
            <ul className="wifi-networks" data-testid="wifi-networks">
              {networks.map((n) => (
                <li key={`${n.ssidHex}/${n.bssid}`} data-testid="wifi-network">
                  <span className="wifi-bars" title={`${n.signal}%`}>{bars(n.signal)}</span> <button type="button" className="link-button" disabled={n.hidden || n.ssid === null} onClick={() => setSsid(n.ssid ?? '')}>{netName(n)}</button>{' '}
                  <span className="muted">
                    {n.security.join(' ') || 'open'} · {n.band ?? '?'} ch {n.channel ?? '?'}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      {error && (
        <p className="inline-error" data-testid="wifi-error">
          {error}
        </p>
      )}
    </section>
  );
}
