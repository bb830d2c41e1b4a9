import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SUPPORT_DEFAULT_S, SUPPORT_MAX_S, type Role, type SupportStatus, type SupportTunnelState, type UnitConfig } from '@pitwall/protocol';
import type { AuditLog } from '../../identity/audit-log.js';
import type { Gpio } from '../../hal/gpio.js';
import type { Logger } from '../logger.js';
import { checkpoint, expiryFile, remainingMs, startExpiry, systemClock, type SupportClock, type SupportExpiryState } from './support-expiry.js';
import { keyBody, makeSshKey, publicKeyOf, relayKeyLine, removeSshKey } from './support-key.js';
import { knownHostsLine, startTunnel, type Tunnel } from './support-tunnel.js';
import type { ExportSshd } from './export-sshd.js';
import { spawnedExportServer, type ExportServer } from './export-server.js';
import { clearExport, refreshExport, type ExportSources } from './export-folder.js';

export interface SupportModeDeps {
  config: UnitConfig['support'];
  dataDir: string;
  unitId: string;
  audit: AuditLog;
  gpio: Gpio;
  log: Logger;
  sources: ExportSources;
  clock?: SupportClock;
  /** How the export is served (default: sshd spawned as a child, chrooted in config.exportRoot). */
  exportServer?: ExportServer;
}

/** Who asked: an operator through the API, or null for the unit's switch. */
export type SupportActor = { fingerprint: string; role: Role } | null;

export class SupportError extends Error {
  constructor(
    readonly code: 'no-relay' | 'audit-unavailable' | 'bad-duration' | 'start-failed',
    message: string,
  ) {
    super(message);
    this.name = 'SupportError';
  }
}

export interface SupportMode {
  status(): SupportStatus;
  turnOn(durationS: number | undefined, actor: SupportActor): Promise<SupportStatus>;
  turnOff(actor: SupportActor): Promise<SupportStatus>;
  /** The runtime stops: processes end, the stored end stays (support resumes after a restart). */
  close(): Promise<void>;
}

interface Active {
  state: SupportExpiryState;
  publicKey: string;
  sshd: ExportSshd;
  tunnel: Tunnel;
  /** The first fill of the export, still running after "on" answered. */
  filling: Promise<void>;
  expiry: NodeJS.Timeout;
  refresh: NodeJS.Timeout;
}

/**
 * Support mode: opt-in only (the support switch or an owner's command), for 60 minutes by
 * default and 8 hours at most. While on: the export is refreshed, its read-only sshd serves it on
 * loopback, the unit dials the relay (`ssh -N -R`) so support staff reach that sshd and nothing
 * else, and the support LED shows the tunnel's state. At the end (off, expiry, the switch) the
 * tunnel and every open session are cut, the export is emptied and the unit's support key is
 * deleted. Turning on, off, the expiry and every support connection are audit records.
 */
export async function startSupportMode(d: SupportModeDeps): Promise<SupportMode> {
  const clock = d.clock ?? systemClock;
  const dir = join(d.dataDir, 'support');
  const stateFile = expiryFile(join(dir, 'state.json'));
  const keyFile = join(dir, 'id_ed25519');
  const knownHosts = join(dir, 'known_hosts');
  const exportServer = d.exportServer ?? spawnedExportServer(d.config.exportRoot);
  const exportFolder = exportServer.folder;
  let active: Active | null = null;
  let tunnelState: SupportTunnelState = 'down';
  let lastError: string | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const next = queue.then(job);
    queue = next.catch(() => undefined);
    return next;
  };

  // Via: the API (an operator), the support switch, or neither (expiry, the export's connections).
  const audit = (outcome: 'ok' | 'refused' | 'error', actor: SupportActor, detail: string, by: 'switch' | 'network' | null = 'switch') =>
    d.audit.write({ event: 'support', outcome, operatorFingerprint: actor?.fingerprint ?? null, role: actor?.role ?? null, via: actor ? 'network' : by, detail });

  const setLed = () => d.gpio.setLed('support', !active ? 'off' : tunnelState === 'up' ? 'on' : 'slow-blink');

  const status = (): SupportStatus => {
    const relay = d.config.relay;
    const left = active ? remainingMs(active.state, clock) : 0;
    return {
      on: active !== null,
      by: active?.state.by ?? null,
      expiresAt: active ? new Date(clock.wallMs() + left).toISOString() : null,
      remainingS: Math.ceil(left / 1000),
      tunnel: tunnelState,
      relay: relay ? { host: relay.host, port: relay.port, user: relay.user, listenPort: relay.listenPort } : null,
      supportKey: active?.publicKey ?? null,
      relayKeyLine: active && relay ? relayKeyLine(keyBody(active.publicKey), relay.listenPort, clock.wallMs() + left) : null,
      exportHostKey: active?.sshd.hostKey ?? null,
      lastError,
    };
  };

  const refresh = async () => {
    if (!active) return;
    await active.filling;
    if (!active) return;
    try {
      await refreshExport(exportFolder, d.sources);
    } catch (err) {
      d.log.warn(`support export refresh failed: ${(err as Error).message}`);
    }
    active.state = checkpoint(active.state, clock);
    await stateFile.save(active.state).catch((err: Error) => d.log.warn(`support state checkpoint failed: ${err.message}`));
  };

  /** Everything that runs while on; `state` is already stored. */
  const activate = async (state: SupportExpiryState, freshKey: boolean): Promise<void> => {
    const relay = d.config.relay!;
    const publicKey = freshKey ? await makeSshKey(keyFile, `pitwall-support-${d.unitId}`) : await publicKeyOf(keyFile).catch(() => makeSshKey(keyFile, `pitwall-support-${d.unitId}`));
    await writeFile(knownHosts, knownHostsLine(relay.host, relay.port, relay.hostKey), { mode: 0o600 });
    // The tunnel dials first (the relay's round trips take longest); the export's sshd starts
    // meanwhile, and "on" answers as soon as it listens, so the key reaches the relay's operator
    // sooner. The export fills in the background (files appear whole, one by one): staff reach
    // it only once the relay has let the tunnel in. A failed sshd stops the tunnel again.
    let sshdProblem: string | null = null;
    let fillProblem: string | null = null;
    const tunnel = startTunnel({
      relay,
      keyFile,
      knownHostsFile: knownHosts,
      localPort: d.config.exportPort,
      keepaliveS: d.config.keepaliveS,
      log: d.log,
      onState: (s, err) => {
        tunnelState = s;
        if (err) lastError = err;
        if (s === 'up') lastError = sshdProblem ?? fillProblem;
        setLed();
      },
    });
    const filling = refreshExport(exportFolder, d.sources).catch((err: Error) => {
      fillProblem = `the export could not be filled: ${err.message}`.slice(0, 500);
      lastError = fillProblem;
      d.log.warn(`support export fill failed: ${err.message}`);
    });
    let sshd: ExportSshd;
    try {
      sshd = await exportServer.start({
        port: d.config.exportPort,
        user: d.config.exportUser,
        staffKeys: d.config.staffKeys,
        log: d.log,
        onConnection: (c) => {
          if (c.kind === 'refused') d.audit.refuse(`support|${c.detail.slice(0, 80)}`, { event: 'support', outcome: 'refused', operatorFingerprint: null, role: null, via: 'network', detail: `support connection refused: ${c.detail}` });
          else void audit('ok', null, `support connection ${c.kind === 'open' ? 'opened' : 'closed'}: ${c.detail}`, 'network');
        },
      });
    } catch (err) {
      await tunnel.stop();
      await filling;
      throw err;
    }
    sshdProblem = sshd.problem;
    if (sshd.problem) lastError = sshd.problem;
    const left = remainingMs(state, clock);
    active = {
      state,
      publicKey,
      sshd,
      tunnel,
      filling,
      expiry: setTimeout(() => void serial(() => deactivate('expired', null)), left),
      refresh: setInterval(() => void serial(refresh), d.config.refreshS * 1000),
    };
    setLed();
    d.log.info(`support mode on (${state.by}) for ${Math.ceil(left / 1000)} s more`);
  };

  /** Stops the processes; `end` also forgets the state, the key and the export (off or expiry). */
  const halt = async (end: boolean) => {
    const a = active;
    active = null;
    if (a) {
      clearTimeout(a.expiry);
      clearInterval(a.refresh);
      await a.tunnel.stop();
      await a.sshd.stop();
      // A fill still running would write into the export after it is emptied.
      await a.filling;
    }
    tunnelState = 'down';
    setLed();
    if (end) {
      await removeSshKey(keyFile);
      await clearExport(exportFolder);
      await stateFile.clear();
    }
  };

  const deactivate = async (why: 'off' | 'expired', actor: SupportActor): Promise<SupportStatus> => {
    const was = active?.state.by;
    await halt(true);
    if (why === 'expired') await audit('ok', null, 'support mode expired: tunnel closed, sessions ended, support key deleted', null);
    else if (was) await audit('ok', actor, `support mode turned off (it was on by ${was}): tunnel closed, sessions ended, support key deleted`);
    d.log.info(`support mode ${why === 'expired' ? 'expired' : 'off'}`);
    return status();
  };

  const turnOn = (durationS: number | undefined, actor: SupportActor) =>
    serial(async () => {
      const s = durationS ?? SUPPORT_DEFAULT_S;
      if (!Number.isInteger(s) || s < 1 || s > SUPPORT_MAX_S) throw new SupportError('bad-duration', `support lasts 1 s to ${SUPPORT_MAX_S / 3600} h, got ${String(durationS).slice(0, 20)} s`);
      if (!d.config.relay) throw new SupportError('no-relay', 'no support relay is configured on this unit (setting support.relay): support mode cannot be turned on');
      const by = actor ? 'owner' : 'switch';
      if (!(await audit('ok', actor, `support mode turned on by the ${by === 'owner' ? 'owner' : 'support switch'} for ${s} s`))) {
        throw new SupportError('audit-unavailable', 'the audit log could not record turning support on, so it stays off; try again');
      }
      const state = startExpiry(by, s * 1000, clock);
      const wasOn = active !== null;
      await halt(false);
      await stateFile.save(state);
      try {
        await activate(state, !wasOn);
      } catch (err) {
        lastError = (err as Error).message.slice(0, 500);
        await halt(true);
        await audit('error', actor, `support mode could not start: ${lastError}`);
        throw new SupportError('start-failed', `support mode could not start: ${lastError}`);
      }
      return status();
    });

  // A stored end from before this start: resume if time is left, else it expired while down.
  const stored = await stateFile.load();
  if (stored) {
    const resumed = checkpoint(stored, clock);
    if (resumed.remainingMs > 0 && d.config.relay) {
      await stateFile.save(resumed);
      await activate(resumed, false).catch(async (err: Error) => {
        lastError = err.message.slice(0, 500);
        d.log.error(`support mode could not resume: ${lastError}`);
        await halt(true);
        await audit('error', null, `support mode could not resume after a restart: ${lastError}`, null);
      });
    } else {
      await halt(true);
      await audit('ok', null, 'support mode expired while the unit was down: support key deleted', null);
    }
  }

  const unsubscribe = d.gpio.onSwitch('support', (on) => {
    if (on) void turnOn(undefined, null).catch((err: Error) => d.log.warn(`support switch: ${err.message}`));
    else void serial(() => deactivate('off', null));
  });

  return {
    status,
    turnOn,
    turnOff: (actor) => serial(() => deactivate('off', actor)),
    async close() {
      unsubscribe();
      await serial(() => halt(false));
    },
  };
}
