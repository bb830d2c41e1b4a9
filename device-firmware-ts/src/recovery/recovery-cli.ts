#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openRecoveryGpio } from '../hal/boot-buttons.js';
import { openAuditLog } from '../identity/audit-log.js';
import { openOperatorStore } from '../identity/operator-store.js';
import { stderrLogger } from '../ops/logger.js';
import { readRecoveryIdentity } from './recovery-identity.js';
import { createRecoveryServer } from './recovery-server.js';

/**
 * Recovery mode, what pitwall-boot starts instead of a runtime slot when the recovery button is
 * held at power-on. It ships with the launcher (the recovery partition), never in a slot, so no
 * update can break it. It takes the runtime's arguments (`sim|real --data-dir DIR --api-port N
 * --host H`, the rest ignored), shows recovery on the pair LED and serves the recovery API.
 * Prints one JSON line when up: {"recovery":"ready","apiPort":N,"unitId":...}.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    strict: false,
    options: { 'data-dir': { type: 'string' }, 'api-port': { type: 'string' }, host: { type: 'string' } },
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

main().catch((err: Error) => {
  process.stderr.write(`pitwall-recovery: ${err.message}\n`);
  process.exit(1);
});
