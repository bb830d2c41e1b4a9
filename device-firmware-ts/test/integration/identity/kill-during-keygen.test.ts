import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { deviceInfo, deviceStatus } from '@pitwall/protocol';
import { DEVICE_CLI, startSimUnit } from '../../../../testbed/sim-unit.js';
import { tempDir } from '../../helpers/paths.js';
import { prng } from '../../helpers/prng.js';
import { https, makeOperator, pairOverSerial } from '../../helpers/https-client.js';
import { fingerprintOf, uuidV5 } from '../../../src/index.js';

const RUNS = 20;

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

/** Starts a first boot and SIGKILLs it after `delayMs` (or when it is ready, whichever is first). */
function bootAndKill(dataDir: string, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DEVICE_CLI, 'sim', '--data-dir', dataDir, '--api-port', '0', '--no-mdns', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(kill, delayMs);
    child.stdout.once('data', kill);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test(`kill -9 during first-boot key generation (${RUNS} runs): no key and no id, or a whole key; the next boot is one consistent identity`, async () => {
  const rand = prng(311);
  const outcomes = { nothing: 0, keyOnly: 0, keyAndId: 0 };
  // Calibrate: when does a first boot write its key on this machine (node start-up dominates)?
  let keyAtMs: number;
  {
    const { dir, cleanup } = await tempDir('keygen-calibrate');
    try {
      const t0 = Date.now();
      await bootAndKill(dir, 10_000);
      keyAtMs = (await stat(join(dir, 'identity', 'unit-key.pem'))).mtimeMs - t0;
    } finally {
      await cleanup();
    }
  }
  for (let i = 0; i < RUNS; i++) {
    const { dir, cleanup } = await tempDir('keygen-kill');
    try {
      // Spread the kills around the moment the key is written.
      await bootAndKill(dir, Math.max(0, keyAtMs - 120 + rand() * 240));
      const keyPem = await readOrNull(join(dir, 'identity', 'unit-key.pem'));
      // Follow that moment as the machine's load drifts: later after a kill that came too early,
      // earlier after one that came too late, so the sweep keeps hitting both sides of the write.
      keyAtMs += keyPem === null ? 60 : -60;
      const id = await readOrNull(join(dir, 'identity', 'unit-id'));
      if (keyPem === null) {
        assert.equal(id, null, `run ${i}: an id without a key`);
        outcomes.nothing++;
      } else {
        const key = createPrivateKey(keyPem); // throws on a torn key
        assert.equal(key.asymmetricKeyType, 'ed25519');
        if (id === null) outcomes.keyOnly++;
        else outcomes.keyAndId++;
      }
      const boot = await startSimUnit({ dataDir: dir });
      try {
        const finalKey = createPrivateKey(await readFile(join(dir, 'identity', 'unit-key.pem'), 'utf8'));
        if (keyPem !== null) assert.equal(fingerprintOf(createPublicKey(finalKey)), fingerprintOf(createPublicKey(createPrivateKey(keyPem))), `run ${i}: the surviving key was kept`);
        const serial = (await readFile(join(dir, 'sim-board', 'serial'), 'utf8')).trim();
        assert.equal(boot.ready.id, uuidV5(serial));
        assert.equal((await readFile(join(dir, 'identity', 'unit-id'), 'utf8')).trim(), boot.ready.id);
        const base = `https://127.0.0.1:${boot.ready.apiPort}`;
        const info = deviceInfo.parse(JSON.parse((await https(base, 'GET', '/v1/info')).body));
        assert.equal(info.fingerprint, fingerprintOf(createPublicKey(finalKey)));
        if (i % 10 === 0) {
          const op = await makeOperator();
          await pairOverSerial(boot.ready.serialPath, op, 'owner');
          assert.equal(deviceStatus.parse(JSON.parse((await https(base, 'GET', '/v1/status', { client: op })).body)).identity.state, 'ok');
        }
        assert.deepEqual((await readdir(join(dir, 'identity'))).filter((f) => f.includes('.tmp-')), [], 'stale temp files were cleaned up');
      } finally {
        await boot.stop();
      }
    } finally {
      await cleanup();
    }
  }
  // The sweep must actually hit both sides of the write (otherwise it proves nothing).
  assert.ok(outcomes.nothing > 0 && outcomes.keyOnly + outcomes.keyAndId > 0, `${JSON.stringify(outcomes)} (key written ~${Math.round(keyAtMs)} ms after spawn)`);
});
