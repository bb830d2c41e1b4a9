import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleModelId, deviceInfo, deviceStatus, API_VERSION, Routes, type DeviceInfo, type DeviceStatus, type UnitConfig } from '@pitwall/protocol';
import { FIRMWARE_COMMIT, FIRMWARE_VERSION } from './version.js';
import { Part, startInOrder, type Subsystem } from './boot/subsystem.js';
import { startPairing } from './boot/pairing-boot.js';
import { startHealthLoop, type HealthLoop } from './boot/health-loop.js';
import { startWifi } from './boot/wifi-boot.js';
import { hardwareProfile, type ProfileKind } from './hal/profiles.js';
import type { HardwareProfile } from './hal/hardware-profile.js';
import { loadUnitIdentity } from './identity/unit-identity.js';
import { openAuditLog } from './identity/audit-log.js';
import { openOperatorStore } from './identity/operator-store.js';
import { HubRegistrations } from './identity/hub-registrations.js';
import { GnssReader } from './pipeline/gnss-reader.js';
import { startDataPath } from './pipeline/start-data-path.js';
import { recordEarlierDrives } from './pipeline/earlier-drives.js';
import { ImuRateMeter, meteredImuFeed } from './pipeline/imu-rate.js';
import { createHttpServer } from './api/http-server.js';
import { startMdnsAdvertiser } from './api/mdns-advertiser.js';
import { startSerialEndpoint } from './api/serial-endpoint.js';
import { startOps, simInjector, configHash, type Ops } from './ops/ops-boot.js';
import { openHealthStore } from './ops/health-store.js';
import { gnssStartKind } from './ops/health-sampler.js';
import { startSupportMode } from './ops/support/support-mode.js';
import { systemdExportServer } from './ops/support/export-server.js';
import type { HangWatchdog } from './ops/hang-watchdog.js';
import { hangWatchdog, reopenSignal } from './boot/process-parts.js';
import { runtimeUpdates } from './update/update-boot.js';
import { auditUpdateOutcomes } from './update/update-outcome-audit.js';
import { LicenseService } from './license/license-service.js';

export interface BootOptions {
  /** Process-wide crash handlers, reports, the reopen signal and the hang watchdog (the CLI sets this). */
  processHandlers?: boolean;
  /** A board built by the caller instead of the one the configuration names (tests: the real profile on fake devices). */
  hardware?: HardwareProfile;
}

export interface RunningUnit {
  readonly id: string;
  readonly apiPort: number;
  readonly serialPath: string;
  readonly info: DeviceInfo;
  readonly ops: Ops;
  status(): DeviceStatus;
  stop(): Promise<void>;
}

/**
 * Boots a unit: configuration -> hardware profile (sim or real) -> subsystems, started in the
 * order of one list (each timed in the boot log) and stopped in reverse.
 */
export async function bootUnit(config: UnitConfig, kind: ProfileKind, boot: BootOptions = {}): Promise<RunningUnit> {
  const started = performance.now();
  const { dataDir } = config;
  const hw = boot.hardware ?? hardwareProfile(kind, config);
  // Before anything is written: a machine without the hardware is told so and left untouched.
  await hw.probe();
  const runDir = join(dataDir, 'run');
  await mkdir(runDir, { recursive: true });
  const ops = await startOps({
    dataDir,
    logDir: config.logs.dir ?? join(dataDir, 'logs'),
    logLevel: config.logs.level,
    processHandlers: boot.processHandlers ?? false,
    boardSerial: () => hw.boardSerial(),
  });
  const { logger } = ops;
  const log = logger.for('boot');
  log.info(`boot ${logger.boot}: firmware ${FIRMWARE_VERSION} (${FIRMWARE_COMMIT}), ${hw.kind} hardware; last run ended: ${ops.reboot.reason}`, {
    rebootReason: ops.reboot.reason,
    previousBoot: ops.reboot.previousBoot,
  });
  ops.state.config = configHash({ ...config, dataDir: undefined });

  let watchdog: HangWatchdog | null = null;
  let healthLoop: HealthLoop | null = null;
  const imuRate = new ImuRateMeter();
  const updates = runtimeUpdates(dataDir, logger.for('update'));
  let fixes = 0;

  const crashReports = new Part('crash-reports', async () => {
    const n = (await ops.reporter?.ingestReports()) ?? 0;
    if (n > 0) log.warn(`${n} diagnostic report(s) of earlier runs turned into crash dumps`);
  });
  const identity = new Part('identity', async () => loadUnitIdentity(dataDir, { name: config.name?.trim(), model: hw.model, log: logger.for('identity'), hardware: await hw.boardSerial() }));
  const audit = new Part(
    'audit',
    async () => {
      const a = await openAuditLog(dataDir, logger.for('identity'));
      for (const problem of identity.value.problems) {
        await a.write({ event: 'identity', outcome: 'error', operatorFingerprint: null, role: null, via: 'boot', detail: problem });
      }
      return a;
    },
    (a) => a.close(),
  );
  // Commits and rollbacks (the launcher's doing) in the audit log, once each.
  const updateAudit = new Part(
    'update-audit',
    () => auditUpdateOutcomes({ dataDir, status: () => updates.agent.status(), audit: audit.value, log: logger.for('update') }),
    (a) => a.stop(),
  );
  const operators = new Part('operators', () => openOperatorStore(dataDir));
  const gpio = new Part(
    'gpio',
    () => hw.openGpio(logger.for('led'), { inject: simInjector(logger.for('crash'), () => void watchdog?.stop()), onDiskChange: () => void healthLoop?.checkDisk() }),
    (g) => g.close(),
  );
  const pairing = new Part(
    'pairing',
    () => startPairing({ identity: identity.value, operators: operators.value, audit: audit.value, gpio: gpio.value, windowS: config.pairingWindowS, log, certFile: join(dataDir, 'identity', 'tls-cert.pem') }),
    (p) => {
      p.approvals.dispose();
      p.window.dispose();
    },
  );
  const info = new Part('info', () => {
    const id = identity.value;
    const i = deviceInfo.parse({ id: id.id, name: id.name, model: id.model, firmware: { version: FIRMWARE_VERSION, commit: FIRMWARE_COMMIT }, apiVersion: API_VERSION, fingerprint: id.fingerprint });
    log.info(`unit ${i.id} "${i.name}" firmware ${FIRMWARE_VERSION} (${FIRMWARE_COMMIT})`);
    return i;
  });
  const updatePush = updates.push(config.update, () => ({ unitId: info.value.id, model: bundleModelId(info.value.model), installedVersion: FIRMWARE_VERSION }));
  // The licence's files are read here; it is verified once the unit is ready (loading the signature
  // stack takes a few hundred ms of CPU), or sooner when a request needs its state.
  const licence = new Part(
    'license',
    () =>
      LicenseService.open({
        dataDir,
        // Bound to the board, not the data partition: a copied card does not carry a licence to another unit.
        unit: () => ({ unitId: identity.value.hardwareId, model: bundleModelId(info.value.model) }),
        keys: updatePush.keys,
        audit: audit.value,
        log: logger.for('licence'),
        enforced: hw.kind === 'real' || config.sim.licenseEnforced,
        clockSources: { systemMs: () => hw.clock.nowMs(), monoMs: () => performance.now() },
      }),
    (l) => l.stop(),
  );
  // Before the receiver starts: a sim unit's earlier track days, recorded at its first boot.
  const history = new Part('earlier-drives', () =>
    recordEarlierDrives({ drives: () => hw.earlierDrives(), dataDir, unitId: info.value.id, firmwareVersion: FIRMWARE_VERSION, imu: () => hw.imu(config.imu.rateHz), policy: config.sessions, log: logger.for('pipeline') }),
  );
  const gnss = hw.openGnss(logger.for('gnss'));
  const gnssPort = new Part('gnss-source', () => gnss.start(), () => gnss.stop());
  const usb = new Part('usb-gadget', () => hw.usbGadget.start(), () => hw.usbGadget.stop());
  const reader = new Part(
    'gnss-reader',
    async () => {
      const r = new GnssReader({ ...gnssPort.value, log: logger.for('gnss') });
      await r.open();
      const gnssStart = await gnssStartKind(dataDir);
      let firstFix = true;
      r.on('fix', (fix) => {
        if (fix.fix === 'none') return;
        fixes++;
        if (fix.dateKnown) licence.value.observeGnss(fix.timeMs);
        ops.state.gnss = { fix: fix.fix, lat: fix.lat, lon: fix.lon, time: new Date(fix.timeMs).toISOString() };
        if (!firstFix) return;
        firstFix = false;
        logger.for('gnss').info(`first fix (${gnssStart.start} start)`, { timeToFirstFixS: r.state.status().timeToFirstFixS });
        void gnssStart.markFix(new Date(fix.timeMs).toISOString()).catch(() => {});
      });
      return { reader: r, gnssStart: gnssStart.start };
    },
    ({ reader: r }) => r.close(),
  );
  // After the reader, so stopped before it: the open session is flushed first.
  const dataPath = new Part(
    'data-path',
    () => {
      const imu = hw.imu(config.imu.rateHz);
      return startDataPath({ dataDir, unitId: info.value.id, firmwareVersion: FIRMWARE_VERSION, reader: reader.value.reader, imu: imu && meteredImuFeed(imu, imuRate), policy: config.sessions, log: logger.for('pipeline') });
    },
    (d) => d.stop(),
  );
  const status = (): DeviceStatus => ({
    id: info.value.id,
    name: info.value.name,
    model: info.value.model,
    firmware: info.value.firmware,
    uptimeS: Math.round((performance.now() - started) / 100) / 10,
    time: new Date().toISOString(),
    gnss: reader.value.reader.state.status(),
    identity: identity.value.state,
    license: licence.value.current(),
  });
  const wifi = new Part('wifi', () => startWifi({ config, kind: hw.kind, gpio: gpio.value, audit: audit.value, logger, unitName: info.value.name }));
  const healthStore = new Part('health-store', () => openHealthStore(dataDir));
  const support = new Part(
    'support',
    () =>
      startSupportMode({
        config: config.support,
        dataDir,
        unitId: info.value.id,
        audit: audit.value,
        gpio: gpio.value,
        log: logger.for('support'),
        // A real unit's runtime is unprivileged: systemd runs the chrooted export sshd.
        exportServer: hw.kind === 'real' ? systemdExportServer() : undefined,
        sources: {
          logDir: config.logs.dir ?? join(dataDir, 'logs'),
          healthFile: join(dataDir, 'health', 'health.jsonl'),
          crashDir: join(dataDir, 'crashes'),
          documents: async () => ({ unit: { info: info.value, status: status() }, config: { ...config, support: { ...config.support, staffKeys: config.support.staffKeys.length } }, sessions: dataPath.value.sessions.store.list() }),
        },
      }),
    (s) => s.close(),
  );
  const api = new Part(
    'api',
    async () => {
      deviceStatus.parse(status());
      const r = reader.value.reader;
      const http = createHttpServer({
        info: info.value,
        status,
        onFix: (listener) => {
          r.on('fix', listener);
          return () => r.off('fix', listener);
        },
        onLive: dataPath.value.onLive,
        sessions: dataPath.value.sessions,
        dataDir,
        log: logger.for('api'),
        tls: pairing.value.tls,
        identityOk: identity.value.key !== null,
        operators: operators.value,
        audit: audit.value,
        pairing: pairing.value.service,
        window: pairing.value.window,
        support: support.value,
        license: licence.value,
        hubRegistrations: await new HubRegistrations({ dataDir, identity: identity.value, audit: audit.value, log: logger.for('identity') }).load(),
        wifi: wifi.value,
        ops: { health: healthStore.value, crashes: ops.crashes, reporter: ops.reporter ?? { ingestReports: async () => 0, dumpNow: () => '' }, logs: ops.logs },
        update: {
          status: () => updates.agent.status(),
          push: updatePush,
        },
      });
      return { http, port: await http.listen(config.api.port, config.api.host) };
    },
    ({ http }) => http.close(),
  );
  const mdns = new Part(
    'mdns',
    () => {
      if (!config.api.mdns) return null;
      const i = info.value;
      return startMdnsAdvertiser({ id: i.id, name: i.name, model: i.model, firmwareVersion: i.firmware.version, apiPort: api.value.port, fingerprint: identity.value.fingerprint, log: logger.for('mdns') });
    },
    (m) => m?.stop(),
  );
  const serial = new Part(
    'serial',
    () =>
      startSerialEndpoint({
        path: usb.value.devicePath,
        ctx: {
          info: info.value,
          pairing: pairing.value.service,
          wifi: {
            wifi: wifi.value,
            operators: operators.value,
            audit: audit.value,
            unitId: info.value.id,
            firstSetupOpen: () => !operators.value.hasActiveOwner() && performance.now() - started < config.network.firstSetupWindowS * 1000,
          },
        },
        log: logger.for('serial'),
      }),
    (s) => s.close(),
  );
  const health = new Part(
    'health',
    async () =>
      (healthLoop = await startHealthLoop({
        unit: info.value.id,
        boot: logger.boot,
        fw: FIRMWARE_VERSION,
        commit: FIRMWARE_COMMIT,
        disk: hw.disk,
        thermal: await hw.thermal(),
        gnss: () => reader.value.reader.state.status(),
        gnssStart: reader.value.gnssStart,
        imuSampleRateHz: () => imuRate.rateHz(),
        imuLosses: () => imuRate.losses(),
        wifi: () => wifi.value.health(),
        license: () => licence.value.current(),
        startedAt: started,
        store: healthStore.value,
        logger,
        reporter: ops.reporter,
        intervalS: config.health.intervalS,
        diskLowB: config.health.diskLowMb * 1024 * 1024,
      })),
    (h) => h.stop(),
  );

  // Last: the launcher hears "ready" (and its health gate starts) only once everything is up.
  // A receiver counts as attached once it has sent anything this boot.
  const launcherLink = new Part(
    'launcher-link',
    () => {
      const sentences = () => Object.values(reader.value.reader.state.status().sentences).reduce((a, b) => a + b, 0);
      const h = config.api.host;
      const host = !h || h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h.includes(':') ? `[${h}]` : h;
      return updates.link(`https://${host}:${api.value.port}${Routes.info.path}`, () => ({ attached: sentences() > 0, fixes }));
    },
    (l) => l?.stop(),
  );
  const list: Subsystem[] = [crashReports, identity, audit, updateAudit, operators, gpio, pairing, info, licence, history, gnssPort, usb, reader, dataPath, wifi, healthStore, support, api, mdns, serial, health, launcherLink];
  if (boot.processHandlers) list.unshift(reopenSignal(ops));
  if (boot.processHandlers && config.hangTimeoutS > 0) {
    list.push(hangWatchdog({ hangS: config.hangTimeoutS, dataDir, ops, unit: () => info.value.id, started: (w) => (watchdog = w) }));
  }

  let stopStarted: () => Promise<void>;
  try {
    stopStarted = await startInOrder(list, log);
  } catch (err) {
    log.error(`boot failed: ${(err as Error).message}`, { err });
    ops.reboot.markClean();
    logger.flushSync();
    throw err;
  }
  const bootMs = Math.round(performance.now() - started);
  log.info(`boot done in ${bootMs} ms`, { stage: 'boot', durationMs: bootMs });
  const u = usb.value;
  log.info(`ready: api on port ${api.value.port}, usb serial at ${u.hostPath ?? u.devicePath}`);
  setImmediate(() => licence.value.start());
  return {
    id: info.value.id,
    apiPort: api.value.port,
    serialPath: u.hostPath ?? u.devicePath,
    info: info.value,
    ops,
    status,
    async stop() {
      // Marked first: a stop that overruns its deadline was still asked for, not a crash.
      ops.reboot.markClean();
      await stopStarted();
      log.info('stopped cleanly');
      logger.flushSync();
    },
  };
}
