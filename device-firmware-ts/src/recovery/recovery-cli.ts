#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleModelId, parseUnitConfig, type UnitConfig } from '@pitwall/protocol';
import { openRecoveryGpio } from '../hal/boot-buttons.js';
import { SIM_MODEL } from '../hal/profiles.js';
import { REAL_MODEL } from '../hal/real-profile.js';
import { openAuditLog } from '../identity/audit-log.js';
import { openOperatorStore } from '../identity/operator-store.js';
import { stderrLogger } from '../ops/logger.js';
import { readRecoveryIdentity } from './recovery-identity.js';
import { CONFIG_FLAG_OPTIONS, DEFAULT_CONFIG_FILE, configFromFlags, readConfigFile } from '../unit-config-file.js';
import { BootRecordStore } from '../update/boot-record-store.js';
import { pushSettings } from '../update/update-boot.js';
import { UpdateAgent } from '../update/update-state-runner.js';
import { FIRMWARE_VERSION } from '../version.js';
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
  const app = createRecoveryServer({
    dataDir,
    wifiConnectionsDir: sim ? join(dataDir, 'nm-connections') : '/etc/NetworkManager/system-connections',
    identity,
    operators: await openOperatorStore(dataDir),
    reopenOperators: () => openOperatorStore(dataDir),
    audit,
    log,
    install: recoveryInstall(dataDir, identity.id, sim, await updateSettings(values, sim, log), log),
  });
  await app.listen({ port, host: typeof values.host === 'string' ? values.host : '0.0.0.0' });
  const addr = app.server.address();
  const apiPort = typeof addr === 'object' && addr ? addr.port : port;
  log.warn(`recovery mode: API on port ${apiPort} (owner and dealer only)`);
  process.stdout.write(`${JSON.stringify({ recovery: 'ready', apiPort, unitId: identity.id })}\n`);
  const stop = async () => {
    await app.close();
    await audit.close();
    await gpio.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

/** The runtime's update settings (vendor keys, slot size, limits) from its config and flags; broken ones fall back to the defaults, so recovery still starts. */
async function updateSettings(values: Record<string, string | boolean | undefined>, sim: boolean, log: Logger): Promise<UnitConfig['update']> {
  try {
    const file = typeof values.config === 'string' ? resolve(values.config) : undefined;
    const { json, source } = await readConfigFile(file, sim ? null : DEFAULT_CONFIG_FILE);
    return configFromFlags(json, source, values).update;
  } catch (err) {
    log.warn(`recovery mode: the unit configuration is unusable (${(err as Error).message}); the update defaults apply`);
    const config = parseUnitConfig({});
    return typeof values['vendor-keys'] === 'string' ? { ...config.update, keysDir: resolve(values['vendor-keys']) } : config.update;
  }
}

/**
 * Installing a bundle in recovery mode: an agent booted from no slot, so it writes the slot that
 * is not last good; the bundle is checked against the last good slot's version (what the unit
 * runs when it boots normally). The next normal boot tries the new slot.
 */
function recoveryInstall(dataDir: string, unitId: string, sim: boolean, config: UnitConfig['update'], log: Logger) {
  const store = new BootRecordStore(dataDir, log);
  const agent = new UpdateAgent({ store, log, booted: null, reboot: () => log.warn('recovery mode: bundle installed; release the recovery button and restart the unit to try it') });
  const installedVersion = async () => {
    const { record } = await store.read();
    return (record.lastGood && record.slots[record.lastGood].version) || FIRMWARE_VERSION;
  };
  const model = bundleModelId(sim ? SIM_MODEL : REAL_MODEL);
  return { agent, settings: pushSettings(agent, dataDir, config, async () => ({ unitId, model, installedVersion: await installedVersion() })) };
}

main().catch((err: Error) => {
  process.stderr.write(`pitwall-recovery: ${err.message}\n`);
  process.exit(1);
});
