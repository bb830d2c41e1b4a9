#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { API_VERSION, bundleModelId, deviceInfo, parseUnitConfig, type DeviceInfo, type UnitConfig } from '@pitwall/protocol';
import { openRecoveryGpio } from '../hal/boot-buttons.js';
import { REAL_MODEL } from '../hal/real-profile.js';
import { openAuditLog, type AuditLog } from '../identity/audit-log.js';
import { openOperatorStore } from '../identity/operator-store.js';
import { stderrLogger } from '../ops/logger.js';
import { readRecoveryIdentity, type RecoveryIdentity } from './recovery-identity.js';
import { CONFIG_FLAG_OPTIONS, DEFAULT_CONFIG_FILE, configFromFlags, readConfigFile } from '../unit-config-file.js';
import { BootRecordStore } from '../update/boot-record-store.js';
import { pushSettings } from '../update/update-boot.js';
import { UpdateAgent } from '../update/update-state-runner.js';
import { FIRMWARE_COMMIT, FIRMWARE_VERSION } from '../version.js';
import { startSerialEndpoint } from '../api/serial-endpoint.js';
import { hardwareProfile, SIM_MODEL } from '../hal/profiles.js';
import { defaultUnitName } from '../identity/unit-identity.js';
import { recoveryLinkToLauncher } from '../update/boot-link.js';
import { BundleReceiver } from '../update/bundle-receiver.js';
import { recoveryActions } from './recovery-actions.js';
import { wifiWipeFor } from './wifi-wipe.js';
import { recoverySerialMethods } from './recovery-serial-methods.js';
import type { Logger } from '../ops/logger.js';
import { createRecoveryServer } from './recovery-server.js';

/**
 * Recovery mode, what pitwall-boot starts instead of a runtime slot when the recovery button is
 * held at power-on. It ships with the launcher (the recovery partition), never in a slot, so no
 * update can break it. It takes the runtime's arguments (`sim|real --data-dir DIR --api-port N
 * --host H`, the update settings (`--config`, `--vendor-keys`) for installs, the rest ignored), shows
 * recovery on the pair LED and serves the recovery API.
 * Prints one JSON line when up: {"recovery":"ready","apiPort":N,"unitId":...}.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    strict: false,
    options: { ...CONFIG_FLAG_OPTIONS, config: { type: 'string' } },
  });
  const log = stderrLogger('update');
  if (typeof values['data-dir'] !== 'string') throw new Error('--data-dir is required');
  const dataDir = resolve(values['data-dir']);
  const port = Number(values['api-port'] ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--api-port must be a port number, got "${String(values['api-port']).slice(0, 20)}"`);
  const sim = positionals[0] === 'sim';
  const gpio = await openRecoveryGpio(sim ? 'sim' : 'real', dataDir, log);
  gpio.setLed('pair', 'double-blink');
  const identity = await readRecoveryIdentity(dataDir);
  const audit = await openAuditLog(dataDir, log);
  await audit.write({ event: 'recovery', outcome: 'ok', operatorFingerprint: null, role: null, via: 'button', detail: 'recovery mode started (recovery button held at boot)' });
  const config = await unitConfig(values, dataDir, sim, log);
  const actions = recoveryActions({
    dataDir,
    wipeWifi: await wifiWipeFor(config, sim),
    identity,
    operators: await openOperatorStore(dataDir),
    reopenOperators: () => openOperatorStore(dataDir),
    audit,
    log,
  });
  // One receiver for both links: one bundle at a time, whichever way it comes.
  const install = recoveryInstall(dataDir, identity.id, sim, config.update, audit, log);
  const app = createRecoveryServer({ identity, actions, audit, log, install });
  await app.listen({ port, host: typeof values.host === 'string' ? values.host : '0.0.0.0' });
  const addr = app.server.address();
  const apiPort = typeof addr === 'object' && addr ? addr.port : port;
  const usb = hardwareProfile(sim ? 'sim' : 'real', config).usbGadget;
  const info = recoveryInfo(identity, config.name, sim);
  const serial = await usb
    .start()
    .then((gadget) => startSerialEndpoint({ path: gadget.devicePath, ctx: { info }, log, methods: recoverySerialMethods({ info, actions, audit, install }) }))
    .catch((err: Error) => (log.error(`recovery mode: no USB serial (${err.message}); the network API still answers`), null));
  log.warn(`recovery mode: API on port ${apiPort}${serial ? ' and the USB serial port' : ''} (owner and dealer only)`);
  const link = recoveryLinkToLauncher({ apiUrl: `https://127.0.0.1:${apiPort}/`, gnss: () => ({ attached: false, fixes: 0 }) });
  process.stdout.write(`${JSON.stringify({ recovery: 'ready', apiPort, unitId: identity.id, pid: process.pid })}\n`);
  const stop = async () => {
    link?.stop();
    await serial?.close();
    await usb.stop();
    await app.close();
    await audit.close();
    await gpio.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

/** What `hello` and `info` say over USB in recovery mode: the unit's id, name and key, this recovery's version. */
function recoveryInfo(identity: RecoveryIdentity, name: string | undefined, sim: boolean): DeviceInfo {
  return deviceInfo.parse({
    id: identity.id,
    name: name ?? defaultUnitName(identity.id),
    model: sim ? SIM_MODEL : REAL_MODEL,
    firmware: { version: FIRMWARE_VERSION, commit: FIRMWARE_COMMIT },
    apiVersion: API_VERSION,
    fingerprint: identity.fingerprint,
  });
}

/** The runtime's settings (update limits, USB port, name) from its config and flags; broken ones fall back to the defaults, so recovery still starts. */
async function unitConfig(values: Record<string, string | boolean | undefined>, dataDir: string, sim: boolean, log: Logger): Promise<UnitConfig> {
  try {
    const file = typeof values.config === 'string' ? resolve(values.config) : undefined;
    const { json, source } = await readConfigFile(file, sim ? null : DEFAULT_CONFIG_FILE);
    return configFromFlags(json, source, values);
  } catch (err) {
    log.warn(`recovery mode: the unit configuration is unusable (${(err as Error).message}); the defaults apply`);
    const config = parseUnitConfig({ dataDir });
    return typeof values['vendor-keys'] === 'string' ? { ...config, update: { ...config.update, keysDir: resolve(values['vendor-keys']) } } : config;
  }
}

/**
 * Installing a bundle in recovery mode: an agent booted from no slot, so it writes the slot that
 * is not last good; the bundle is checked against the last good slot's version (what the unit
 * runs when it boots normally). The next normal boot tries the new slot.
 */
function recoveryInstall(dataDir: string, unitId: string, sim: boolean, config: UnitConfig['update'], audit: AuditLog, log: Logger): BundleReceiver {
  const store = new BootRecordStore(dataDir, log);
  const agent = new UpdateAgent({ store, log, booted: null, reboot: () => log.warn('recovery mode: bundle installed; release the recovery button and restart the unit to try it') });
  const installedVersion = async () => {
    const { record } = await store.read();
    return (record.lastGood && record.slots[record.lastGood].version) || FIRMWARE_VERSION;
  };
  const model = bundleModelId(sim ? SIM_MODEL : REAL_MODEL);
  const settings = pushSettings(agent, dataDir, config, async () => ({ unitId, model, installedVersion: await installedVersion() }));
  return new BundleReceiver({ ...settings, status: () => agent.status(), audit, log });
}

main().catch((err: Error) => {
  process.stderr.write(`pitwall-recovery: ${err.message}\n`);
  process.exit(1);
});
