import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { deviceInfo, deviceStatus, API_VERSION, type DeviceInfo, type DeviceStatus } from '@pitwall/protocol';
import { FIRMWARE_COMMIT, FIRMWARE_VERSION } from './version.js';
import { generateKeyPairSync } from 'node:crypto';
import { loadUnitIdentity } from './identity/unit-identity.js';
import { readSimBoardSerial } from './hal/hardware-serial.js';
import { simGpio } from './hal/sim/sim-gpio.js';
import { openAuditLog } from './identity/audit-log.js';
import { openOperatorStore } from './identity/operator-store.js';
import { createPairingWindow } from './identity/pairing-window.js';
import { createPairingService } from './identity/pairing-service.js';
import { createOwnerApprovals } from './identity/owner-approvals.js';
import { parseIdentityKey, selfSignedCertificatePem } from './identity/unit-key.js';
import { nmeaReplayer } from './hal/sim/nmea-replayer.js';
import { simUsbGadget, type UsbGadget } from './hal/usb-gadget.js';
import type { GnssSource } from './hal/gnss-source.js';
import { GnssReader } from './pipeline/gnss-reader.js';
import { startDataPath, DEFAULT_SESSION_POLICY, type SessionPolicy } from './pipeline/start-data-path.js';
import { createHttpServer, type HttpServer } from './api/http-server.js';
import { startMdnsAdvertiser, type MdnsAdvertiser } from './api/mdns-advertiser.js';
import { startSerialEndpoint, type SerialEndpoint } from './api/serial-endpoint.js';
import type { Logger } from './ops/logger.js';
import { startOps, simInjector, configHash, type Ops } from './ops/ops-boot.js';
import { openHealthStore, DEFAULT_HEALTH_RETENTION_S } from './ops/health-store.js';
import { healthSampler, gnssStartKind } from './ops/health-sampler.js';
import { startHangWatchdog, type HangWatchdog } from './ops/hang-watchdog.js';
import { simDisk } from './hal/disk.js';
import { simThermal } from './hal/thermal.js';
import type { LogLevel } from '@pitwall/protocol';

export interface SimOptions {
  dataDir: string;
  apiPort: number;
  name?: string;
  recording: string;
  speed: number;
  /** Companion-side end of the simulated USB gadget (default DATA_DIR/usb-host). */
  serialLink?: string;
  mdns: boolean;
  host?: string;
  /** Network pairing window after a button press, seconds (default 120). */
  pairingWindowS?: number;
  /** Log directory (default DATA_DIR/logs). */
  logDir?: string;
  logLevel?: LogLevel;
  /** Seconds between health snapshots (default 60). */
  healthIntervalS?: number;
  healthRetentionS?: number;
  /** Below this many free bytes on the data partition debug logging stops (default 64 MiB). */
  diskLowB?: number;
  /** Event loop blocked this long -> hang dump and exit (default 10 s; 0 = no watchdog). */
  hangS?: number;
  maxCrashes?: number;
  /** Process-wide crash handlers, reports and the reopen signal (the CLI sets this). */
  processHandlers?: boolean;
  /** Simulated IMU sample rate, Hz (default 100). */
  imuRateHz?: number;
  sessions?: SessionPolicy;
}

export const DEFAULT_HEALTH_INTERVAL_S = 60;
export const DEFAULT_DISK_LOW_B = 64 * 1024 * 1024;
export const DEFAULT_HANG_S = 10;

export const DEFAULT_PAIRING_WINDOW_S = 120;

export interface RunningUnit {
  readonly id: string;
  readonly apiPort: number;
  readonly serialPath: string;
  readonly info: DeviceInfo;
  readonly ops: Ops;
  status(): DeviceStatus;
  stop(): Promise<void>;
}

export const SIM_MODEL = 'PW-1 (sim)';

/**
 * Boots a simulated unit: identity -> audit log + operators -> gpio + pairing window -> hal ->
 * gnss reader -> data path (tracks, lap timer, IMU, sessions) -> api (HTTPS) -> mdns -> serial endpoint.
 */
export async function startSimUnit(opts: SimOptions): Promise<RunningUnit> {
  const started = performance.now();
  const runDir = join(opts.dataDir, 'run');
  await mkdir(runDir, { recursive: true });
  const ops = await startOps({
    dataDir: opts.dataDir,
    logDir: opts.logDir ?? join(opts.dataDir, 'logs'),
    logLevel: opts.logLevel,
    processHandlers: opts.processHandlers ?? false,
    maxCrashes: opts.maxCrashes,
  });
  const logger = ops.logger;
  const log: Logger = logger.for('boot');
  log.info(`boot ${logger.boot}: firmware ${FIRMWARE_VERSION} (${FIRMWARE_COMMIT}); last run ended: ${ops.reboot.reason}`, {
    rebootReason: ops.reboot.reason,
    previousBoot: ops.reboot.previousBoot,
  });
  const stage = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const v = await fn();
    log.info(`stage ${name} done`, { stage: name, durationMs: Math.round((performance.now() - t0) * 10) / 10 });
    return v;
  };
  // Undo what has started so far when a later step fails, in reverse order.
  const undo: { name: string; fn: () => Promise<void> }[] = [];
  const stopAll = async () => {
    // Marked first: a stop that overruns its deadline was still asked for, not a crash.
    ops.reboot.markClean();
    for (const step of undo.reverse()) {
      try {
        await step.fn();
      } catch (err) {
        log.warn(`stopping ${step.name}: ${(err as Error).message}`);
      }
    }
    undo.length = 0;
    log.info('stopped cleanly');
    logger.flushSync();
  };
  if (opts.processHandlers) {
    const onHup = () => {
      logger.reopen();
      log.info('log file reopened (SIGHUP)');
    };
    // logrotate's postrotate has systemd send it (to the service's main process): no pid file,
    // which root would have to trust.
    process.on('SIGHUP', onHup);
    undo.push({ name: 'reopen signal', fn: async () => void process.off('SIGHUP', onHup) });
  }
  ops.state.config = configHash({ ...opts, dataDir: undefined });

  try {
    if (ops.reporter) {
      const n = await ops.reporter.ingestReports();
      if (n > 0) log.warn(`${n} diagnostic report(s) of earlier runs turned into crash dumps`);
    }
    const identity = await stage('identity', async () =>
      loadUnitIdentity(opts.dataDir, { name: opts.name, model: SIM_MODEL, log: logger.for('identity'), hardware: await readSimBoardSerial(opts.dataDir) }),
    );
    const audit = await stage('audit', () => openAuditLog(opts.dataDir, logger.for('identity')));
    undo.push({ name: 'audit log', fn: () => audit.close() });
    for (const problem of identity.problems) {
      await audit.write({ event: 'identity', outcome: 'error', operatorFingerprint: null, role: null, via: 'boot', detail: problem });
    }
    const operators = await openOperatorStore(opts.dataDir);
    // Without the identity key the API still needs a certificate for discovery: a throw-away
    // key, never persisted and never reported as the unit's fingerprint.
    const tlsKey = identity.key ?? parseIdentityKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const certPem = await selfSignedCertificatePem(tlsKey, identity.id);
    const keyPem = tlsKey.export({ type: 'pkcs8', format: 'pem' }) as string;

    let watchdog: HangWatchdog | null = null;
    const disk = simDisk(opts.dataDir);
    const diskLowB = opts.diskLowB ?? DEFAULT_DISK_LOW_B;
    let checkDisk = async () => {};
    const gpio = await stage('gpio', () =>
      simGpio(join(runDir, 'sim-gpio.sock'), logger.for('led'), {
        inject: simInjector(logger.for('crash'), () => void watchdog?.stop()),
        diskFree: (b) => {
          disk.setFakeFree(b);
          void checkDisk();
        },
      }),
    );
    undo.push({ name: 'gpio', fn: () => gpio.close() });
    const windowS = opts.pairingWindowS ?? DEFAULT_PAIRING_WINDOW_S;
    const windowAudit = (detail: string) =>
      void audit.write({ event: 'pairing-window', outcome: 'ok', operatorFingerprint: null, role: null, via: 'button', detail });
    // The pair LED: an owner request waiting for approval outranks an open window.
    let pendingOwners = 0;
    const showPairing = () => gpio.setLed('pair', pendingOwners > 0 ? 'fast-blink' : window.isOpen() ? 'slow-blink' : 'off');
    const window = createPairingWindow(windowS, {
      onOpen: () => {
        showPairing();
        log.info(`pairing window open for ${windowS} s`);
        windowAudit(`opened for ${windowS} s by the pair button`);
      },
      onClose: (reason) => {
        // After the current task: a window taken by an owner request goes straight to fast-blink.
        queueMicrotask(showPairing);
        log.info(`pairing window closed: ${reason}`);
        windowAudit(`closed: ${reason}`);
      },
    });
    undo.push({ name: 'pairing window', fn: async () => window.dispose() });
    const approvals = createOwnerApprovals((n) => {
      pendingOwners = n;
      showPairing();
    });
    undo.push({ name: 'owner requests', fn: async () => approvals.dispose() });
    gpio.onPress('pair', () => {
      if (!identity.key) {
        log.warn('pair button pressed, but the identity key is missing or corrupt: pairing stays closed');
        void audit.write({ event: 'pairing-window', outcome: 'refused', operatorFingerprint: null, role: null, via: 'button', detail: 'pair button pressed while the identity is unavailable' });
        return;
      }
      window.open();
    });
    const pairing = createPairingService({ unitId: identity.id, key: identity.key, fingerprint: identity.fingerprint, certificatePem: identity.key ? certPem : null, operators, audit, window, approvals });

    const info: DeviceInfo = deviceInfo.parse({
      id: identity.id,
      name: identity.name,
      model: identity.model,
      firmware: { version: FIRMWARE_VERSION, commit: FIRMWARE_COMMIT },
      apiVersion: API_VERSION,
      fingerprint: identity.fingerprint,
    });
    log.info(`unit ${info.id} "${info.name}" firmware ${FIRMWARE_VERSION} (${FIRMWARE_COMMIT})`);

    const gnss: GnssSource = nmeaReplayer({ recordingPath: opts.recording, runDir, speed: opts.speed, log: logger.for('gnss'), continueAfterRestart: true });
    const gadget: UsbGadget = simUsbGadget(runDir, opts.serialLink ?? join(opts.dataDir, 'usb-host'));
    const gnssPort = await stage('gnss-source', () => gnss.start());
    undo.push({ name: 'gnss source', fn: () => gnss.stop() });
    const usb = await stage('usb-gadget', () => gadget.start());
    undo.push({ name: 'usb gadget', fn: () => gadget.stop() });

    const reader = new GnssReader({ ...gnssPort, log: logger.for('gnss') });
    await stage('gnss-reader', () => reader.open());
    undo.push({ name: 'gnss reader', fn: () => reader.close() });
    const gnssStart = await gnssStartKind(opts.dataDir);
    let firstFix = true;
    const onFix = (fix: { fix: string; lat: number | null; lon: number | null; timeMs: number }) => {
      if (fix.fix === 'none') return;
      ops.state.gnss = { fix: fix.fix, lat: fix.lat, lon: fix.lon, time: new Date(fix.timeMs).toISOString() };
      if (firstFix) {
        firstFix = false;
        logger.for('gnss').info(`first fix (${gnssStart.start} start)`, { timeToFirstFixS: reader.state.status().timeToFirstFixS });
        void gnssStart.markFix(new Date(fix.timeMs).toISOString()).catch(() => {});
      }
    };
    reader.on('fix', onFix);
    // Registered after the reader, so undone before it: the open session is flushed first.
    const dataPath = await startDataPath({
      dataDir: opts.dataDir,
      unitId: info.id,
      firmwareVersion: info.firmware.version,
      reader,
      imuRateHz: opts.imuRateHz ?? 100,
      policy: opts.sessions ?? DEFAULT_SESSION_POLICY,
      log: logger.for('pipeline'),
    });
    undo.push({ name: 'data path', fn: () => dataPath.stop() });

    const status = (): DeviceStatus => ({
      id: info.id,
      name: info.name,
      model: info.model,
      firmware: info.firmware,
      uptimeS: Math.round((performance.now() - started) / 100) / 10,
      time: new Date().toISOString(),
      gnss: reader.state.status(),
      identity: identity.state,
    });
    deviceStatus.parse(status());

    const health = await stage('health-store', () => openHealthStore(opts.dataDir, opts.healthRetentionS ?? DEFAULT_HEALTH_RETENTION_S));
    const http: HttpServer = createHttpServer({
      info,
      status,
      onFix: (listener) => {
        reader.on('fix', listener);
        return () => reader.off('fix', listener);
      },
      onLive: dataPath.onLive,
      sessions: dataPath.sessions,
      log: logger.for('api'),
      tls: { keyPem, certPem },
      identityOk: identity.key !== null,
      operators,
      audit,
      pairing,
      window,
      ops: { health, crashes: ops.crashes, reporter: ops.reporter ?? { ingestReports: async () => 0, dumpNow: () => '' }, logs: ops.logs },
    });
    const apiPort = await stage('api', () => http.listen(opts.apiPort, opts.host));
    undo.push({ name: 'http server', fn: () => http.close() });

    let mdns: MdnsAdvertiser | null = null;
    if (opts.mdns) {
      mdns = startMdnsAdvertiser({ id: info.id, name: info.name, model: info.model, firmwareVersion: info.firmware.version, apiPort, fingerprint: identity.fingerprint, log: logger.for('mdns') });
      undo.push({ name: 'mdns', fn: () => mdns!.stop() });
    }

    const serial: SerialEndpoint = await stage('serial', () => startSerialEndpoint({ path: usb.devicePath, ctx: { info, pairing }, log: logger.for('serial') }));
    undo.push({ name: 'serial endpoint', fn: () => serial.close() });

    const thermal = await simThermal(opts.dataDir);
    const healthLog = logger.for('health');
    let diskLow = false;
    checkDisk = async () => {
      const { freeB } = await disk.usage();
      const low = freeB < diskLowB;
      if (low === diskLow) return;
      diskLow = low;
      logger.setDebugEnabled(!low);
      if (low) healthLog.warn(`data partition free space ${freeB} B under ${diskLowB} B: debug logging stopped`, { freeB, thresholdB: diskLowB });
      else healthLog.info(`data partition free space ${freeB} B back over ${diskLowB} B: debug logging resumed`, { freeB });
    };
    await checkDisk();
    const sample = healthSampler({
      unit: info.id,
      boot: logger.boot,
      fw: FIRMWARE_VERSION,
      commit: FIRMWARE_COMMIT,
      disk,
      thermal,
      gnss: () => reader.state.status(),
      gnssStart: gnssStart.start,
      imuSampleRateHz: () => null,
      extraWarnings: () => (diskLow ? ['disk-low', 'debug-logging-stopped'] : []),
      startedAt: started,
    });
    const takeSnapshot = async () => {
      try {
        await checkDisk();
        const snap = await sample();
        await health.append(snap);
        healthLog.debug('health snapshot', { cpuPct: snap.cpuPct, socTempC: snap.socTempC, usedPct: snap.dataPartition.usedPct, warnings: snap.warnings });
        if (ops.reporter) await ops.reporter.ingestReports();
      } catch (err) {
        healthLog.warn(`health snapshot failed: ${(err as Error).message}`, { err });
      }
    };
    const healthTimer = setInterval(() => void takeSnapshot(), (opts.healthIntervalS ?? DEFAULT_HEALTH_INTERVAL_S) * 1000);
    healthTimer.unref();
    void takeSnapshot();
    undo.push({ name: 'health', fn: async () => clearInterval(healthTimer) });

    const hangS = opts.hangS ?? DEFAULT_HANG_S;
    if (opts.processHandlers && hangS > 0) {
      watchdog = startHangWatchdog({ hangS, dataDir: opts.dataDir, logFile: logger.file, unit: info.id, boot: logger.boot, fw: FIRMWARE_VERSION, commit: FIRMWARE_COMMIT });
      const stateTimer = setInterval(() => watchdog!.setState({ ...ops.state }), 1000);
      stateTimer.unref();
      undo.push({ name: 'hang watchdog', fn: async () => {
        clearInterval(stateTimer);
        await watchdog!.stop();
      } });
    }
    log.info(`boot done in ${Math.round(performance.now() - started)} ms`, { stage: 'boot', durationMs: Math.round(performance.now() - started) });

    log.info(`ready: api on port ${apiPort}, usb serial at ${usb.hostPath}`);
    return {
      id: info.id,
      apiPort,
      serialPath: usb.hostPath ?? usb.devicePath,
      info,
      ops,
      status,
      stop: stopAll,
    };
  } catch (err) {
    log.error(`boot failed: ${(err as Error).message}`, { err });
    await stopAll();
    throw err;
  }
}
