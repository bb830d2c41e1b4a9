import type { Role, WifiAddRequest, WifiMode, WifiNetwork, WifiProfile, WifiStatus } from '@pitwall/protocol';
import { NmError, type NetworkManagerHal } from '../../hal/nm/index.js';
import type { AuditLog } from '../../identity/audit-log.js';
import type { Logger } from '../logger.js';
import { applyMode, latchMode, type HotspotLabel } from './wifi-mode.js';
import { profileFromRequest, UUID_RE, WifiError } from './wifi-request.js';

/** Who asks: an operator over the network or USB, or the first-setup window over USB (no operator yet). */
export interface WifiActor {
  fingerprint: string | null;
  role: Role | null;
  name: string;
  via: 'network' | 'usb';
}

export interface WifiServiceOptions {
  nm: NetworkManagerHal;
  audit: AuditLog;
  log: Logger;
  label: HotspotLabel;
  /** The hotspot latch: read once at boot (strictly honoured), again only to report it. */
  readLatch(): boolean | null;
  /** Keeps a secret out of every log line (the logger's redactor). */
  addSecret(secret: string): void;
  connectTimeoutMs: number;
}

export interface WifiService {
  status(): Promise<WifiStatus>;
  scan(rescan: boolean): Promise<WifiNetwork[]>;
  list(): Promise<WifiProfile[]>;
  add(req: WifiAddRequest, who: WifiActor): Promise<WifiProfile>;
  remove(uuid: string, who: WifiActor): Promise<void>;
  priority(uuid: string, priority: number, who: WifiActor): Promise<void>;
  connect(uuid: string, who: WifiActor): Promise<WifiStatus>;
  /** The owner's explicit mode change (the latch's other way to take effect besides a reboot). */
  setMode(mode: WifiMode, who: WifiActor): Promise<WifiStatus>;
  /** For health snapshots: the mode and the last connect time. */
  health(): { mode: WifiMode; connectTimeMs: number | null };
}

/** NetworkManager's failures as API errors: 503 when it cannot be reached, 502 when it refused, 504 on a timeout. */
export function asWifiError(err: unknown): WifiError {
  if (err instanceof WifiError) return err;
  if (err instanceof NmError) {
    const status = err.kind === 'not-running' || err.kind === 'no-nmcli' ? 503 : err.kind === 'timeout' ? 504 : err.kind === 'not-found' ? 404 : 502;
    return new WifiError(status, `wifi-${err.kind}`, err.message);
  }
  return new WifiError(500, 'internal', 'the Wi-Fi request failed inside the unit');
}

export async function startWifiService(o: WifiServiceOptions): Promise<WifiService> {
  const atBoot = latchMode(o.readLatch());
  let mode: WifiMode = atBoot ?? 'client';
  let reason = atBoot === null ? 'this board has no hotspot latch: client mode' : `the hotspot latch was ${atBoot === 'hotspot' ? 'closed' : 'open'} at boot`;
  let connectTimeMs: number | null = null;
  let lastError: string | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  // One change at a time: NetworkManager's view and the audit log stay in the same order.
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  };
  const record = async (who: WifiActor, detail: string, outcome: 'ok' | 'error' = 'ok') => {
    const ok = await o.audit.write({ event: 'wifi', outcome, operatorFingerprint: who.fingerprint, role: who.role, via: who.via === 'usb' ? 'usb' : 'network', detail: `${who.name.slice(0, 60)}: ${detail}`.slice(0, 500) });
    if (!ok) o.log.warn(`audit record not written: ${detail}`);
  };
  const profile = async (uuid: string) => {
    if (!UUID_RE.test(uuid)) throw new WifiError(400, 'bad-wifi-request', 'a saved network is named by its uuid (as the list gives it); nothing was changed');
    const p = (await o.nm.list()).find((x) => x.uuid === uuid);
    if (!p) throw new WifiError(404, 'not-found', `no saved network ${uuid}; nothing was changed`);
    if (p.kind === 'hotspot') throw new WifiError(409, 'hotspot-profile', "the unit's hotspot is set by its latch and label, not edited; nothing was changed");
    return p;
  };
  const status = async (): Promise<WifiStatus> => {
    const now = latchMode(o.readLatch());
    const base = { mode, reason, latch: { atBoot, now }, connectTimeMs, lastError };
    try {
      const link = await o.nm.link();
      const connected = link.state === 'connected';
      const net = connected && mode === 'client' ? (await o.nm.scan(false)).find((n) => n.inUse) : undefined;
      return { ...base, connected, ssid: mode === 'hotspot' ? o.label.ssid : (net?.ssid ?? null), ssidHex: net?.ssidHex ?? null, signal: net?.signal ?? null, address: link.address };
    } catch (err) {
      return { ...base, connected: false, ssid: null, ssidHex: null, signal: null, address: null, lastError: asWifiError(err).message };
    }
  };
  const wrap = async <T>(what: string, who: WifiActor | null, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      const e = asWifiError(err);
      if (e.status >= 500 || e.status === 404) lastError = e.message;
      if (who && !(err instanceof WifiError)) await record(who, `${what} failed: ${e.message}`, 'error');
      throw e;
    }
  };

  try {
    await applyMode(o.nm, mode, o.label, o.addSecret);
    o.log.info(`wifi: ${mode} mode (${reason})`);
  } catch (err) {
    lastError = asWifiError(err).message;
    o.log.warn(`wifi: could not enter ${mode} mode: ${lastError}`);
  }

  return {
    status,
    scan: (rescan) => wrap('scan', null, () => o.nm.scan(rescan)),
    list: () => wrap('list', null, () => o.nm.list()),
    add: (req, who) =>
      serial(() =>
        wrap('add', who, async () => {
          const p = profileFromRequest(req);
          if (p.psk) o.addSecret(p.psk);
          const saved = await o.nm.add(p);
          await record(who, `saved ${p.kind} network "${p.label}" (${saved.uuid}, ${p.security}${p.hidden ? ', hidden' : ''}, priority ${p.priority})`);
          return saved;
        }),
      ),
    remove: (uuid, who) =>
      serial(() =>
        wrap('remove', who, async () => {
          const p = await profile(uuid);
          await o.nm.remove(uuid);
          await record(who, `removed saved network "${p.name}" (${uuid})`);
        }),
      ),
    priority: (uuid, priority, who) =>
      serial(() =>
        wrap('priority', who, async () => {
          const p = await profile(uuid);
          if (p.kind === 'support') throw new WifiError(409, 'support-priority', 'the support network always stays first; nothing was changed');
          await o.nm.setPriority(uuid, priority);
          await record(who, `priority of "${p.name}" (${uuid}) ${p.priority} -> ${priority}`);
        }),
      ),
    connect: (uuid, who) =>
      serial(() =>
        wrap('connect', who, async () => {
          if (mode === 'hotspot') throw new WifiError(409, 'hotspot-mode', 'the unit is in hotspot mode (its latch): open the latch and reboot, or have the owner switch it to client mode; nothing was changed');
          const p = await profile(uuid);
          const t0 = performance.now();
          await o.nm.up(uuid, o.connectTimeoutMs);
          // Connected means an address: poll until one comes or the connect budget runs out.
          let link = await o.nm.link();
          while (!link.address && performance.now() - t0 < o.connectTimeoutMs) {
            await new Promise((r) => setTimeout(r, 200));
            link = await o.nm.link();
          }
          if (!link.address) throw new WifiError(504, 'wifi-no-address', `connected to "${p.name}" but got no address within ${Math.round(o.connectTimeoutMs / 1000)} s`);
          connectTimeMs = Math.round(performance.now() - t0);
          lastError = null;
          await record(who, `connected to "${p.name}" (${uuid}) in ${connectTimeMs} ms, address ${link.address}`);
          o.log.info(`wifi: connected to ${p.name} in ${connectTimeMs} ms`, { connectTimeMs });
          return status();
        }),
      ),
    setMode: (next, who) =>
      serial(() =>
        wrap('mode', who, async () => {
          await applyMode(o.nm, next, o.label, o.addSecret);
          const was = mode;
          mode = next;
          reason = `${who.role ?? 'an operator'} "${who.name.slice(0, 60)}" switched to ${next} mode (latch at boot: ${atBoot ?? 'none'})`;
          await record(who, `mode ${was} -> ${next}`);
          return status();
        }),
      ),
    health: () => ({ mode, connectTimeMs }),
  };
}
