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
import { parseIdentityKey, selfSignedCertificatePem } from './identity/unit-key.js';
import { nmeaReplayer } from './hal/sim/nmea-replayer.js';
import { simUsbGadget, type UsbGadget } from './hal/usb-gadget.js';
import type { GnssSource } from './hal/gnss-source.js';
import { GnssReader } from './pipeline/gnss-reader.js';
import { startDataPath, DEFAULT_SESSION_POLICY, type SessionPolicy } from './pipeline/start-data-path.js';
import { createHttpServer, type HttpServer } from './api/http-server.js';
import { startMdnsAdvertiser, type MdnsAdvertiser } from './api/mdns-advertiser.js';
import { startSerialEndpoint, type SerialEndpoint } from './api/serial-endpoint.js';
import { createLogger } from './ops/logger.js';

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
  /** Simulated IMU sample rate, Hz (default 100). */
  imuRateHz?: number;
  sessions?: SessionPolicy;
}

export const DEFAULT_PAIRING_WINDOW_S = 120;

export interface RunningUnit {
  readonly id: string;
  readonly apiPort: number;
  readonly serialPath: string;
  readonly info: DeviceInfo;
  status(): DeviceStatus;
  stop(): Promise<void>;
}

export const SIM_MODEL = 'PW-1 (sim)';

/**
 * Boots a simulated unit: identity -> audit log + operators -> gpio + pairing window -> hal ->
 * gnss reader -> data path (tracks, lap timer, IMU, sessions) -> api (HTTPS) -> mdns -> serial endpoint.
 */
export async function startSimUnit(opts: SimOptions): Promise<RunningUnit> {
  const log = createLogger('unit');
  const started = performance.now();
  const runDir = join(opts.dataDir, 'run');
  await mkdir(runDir, { recursive: true });
  // Undo what has started so far when a later step fails, in reverse order.
  const undo: { name: string; fn: () => Promise<void> }[] = [];
  const stopAll = async () => {
    for (const step of undo.reverse()) {
      try {
        await step.fn();
      } catch (err) {
        log.warn(`stopping ${step.name}: ${(err as Error).message}`);
      }
    }
    undo.length = 0;
  };

  try {
    const hardware = await readSimBoardSerial(opts.dataDir);
    const identity = await loadUnitIdentity(opts.dataDir, { name: opts.name, model: SIM_MODEL, log, hardware });
    const audit = await openAuditLog(opts.dataDir, createLogger('audit'));
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

    const gpio = await simGpio(join(runDir, 'sim-gpio.sock'), createLogger('gpio'));
    undo.push({ name: 'gpio', fn: () => gpio.close() });
    const windowS = opts.pairingWindowS ?? DEFAULT_PAIRING_WINDOW_S;
    const windowAudit = (detail: string) =>
      void audit.write({ event: 'pairing-window', outcome: 'ok', operatorFingerprint: null, role: null, via: 'button', detail });
    const window = createPairingWindow(windowS, {
      onOpen: () => {
        gpio.setLed('pair', true);
        log.info(`pairing window open for ${windowS} s`);
        windowAudit(`opened for ${windowS} s by the pair button`);
      },
      onClose: (reason) => {
        gpio.setLed('pair', false);
        log.info(`pairing window closed: ${reason}`);
        windowAudit(`closed: ${reason}`);
      },
    });
    undo.push({ name: 'pairing window', fn: async () => window.dispose() });
    gpio.onPress('pair', () => {
      if (!identity.key) {
        log.warn('pair button pressed, but the identity key is missing or corrupt: pairing stays closed');
        void audit.write({ event: 'pairing-window', outcome: 'refused', operatorFingerprint: null, role: null, via: 'button', detail: 'pair button pressed while the identity is unavailable' });
        return;
      }
      window.open();
    });
    const pairing = createPairingService({ unitId: identity.id, key: identity.key, fingerprint: identity.fingerprint, certificatePem: identity.key ? certPem : null, operators, audit, window });

    const info: DeviceInfo = deviceInfo.parse({
      id: identity.id,
      name: identity.name,
      model: identity.model,
      firmware: { version: FIRMWARE_VERSION, commit: FIRMWARE_COMMIT },
      apiVersion: API_VERSION,
      fingerprint: identity.fingerprint,
    });
    log.info(`unit ${info.id} "${info.name}" firmware ${FIRMWARE_VERSION} (${FIRMWARE_COMMIT})`);

    const gnss: GnssSource = nmeaReplayer({ recordingPath: opts.recording, runDir, speed: opts.speed, log: createLogger('gnss-sim'), continueAfterRestart: true });
    const gadget: UsbGadget = simUsbGadget(runDir, opts.serialLink ?? join(opts.dataDir, 'usb-host'));
    const gnssPort = await gnss.start();
    undo.push({ name: 'gnss source', fn: () => gnss.stop() });
    const usb = await gadget.start();
    undo.push({ name: 'usb gadget', fn: () => gadget.stop() });

    const reader = new GnssReader({ ...gnssPort, log: createLogger('gnss') });
    await reader.open();
    undo.push({ name: 'gnss reader', fn: () => reader.close() });
    // Registered after the reader, so undone before it: the open session is flushed first.
    const dataPath = await startDataPath({
      dataDir: opts.dataDir,
      unitId: info.id,
      firmwareVersion: info.firmware.version,
      reader,
      imuRateHz: opts.imuRateHz ?? 100,
      policy: opts.sessions ?? DEFAULT_SESSION_POLICY,
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

    const http: HttpServer = createHttpServer({
      info,
      status,
      onFix: (listener) => {
        reader.on('fix', listener);
        return () => reader.off('fix', listener);
      },
      onLive: dataPath.onLive,
      sessions: dataPath.sessions,
      log: createLogger('api'),
      tls: { keyPem, certPem },
      identityOk: identity.key !== null,
      operators,
      audit,
      pairing,
      window,
    });
    const apiPort = await http.listen(opts.apiPort, opts.host);
    undo.push({ name: 'http server', fn: () => http.close() });

    let mdns: MdnsAdvertiser | null = null;
    if (opts.mdns) {
      mdns = startMdnsAdvertiser({ id: info.id, name: info.name, model: info.model, firmwareVersion: info.firmware.version, apiPort, fingerprint: identity.fingerprint, log: createLogger('mdns') });
      undo.push({ name: 'mdns', fn: () => mdns!.stop() });
    }

    const serial: SerialEndpoint = await startSerialEndpoint({ path: usb.devicePath, ctx: { info, pairing }, log: createLogger('serial') });
    undo.push({ name: 'serial endpoint', fn: () => serial.close() });

    log.info(`ready: api on port ${apiPort}, usb serial at ${usb.hostPath}`);
    return {
      id: info.id,
      apiPort,
      serialPath: usb.hostPath ?? usb.devicePath,
      info,
      status,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
