import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { buildBundle, signBundle } from '@pitwall/protocol/node';
import { pairOverUsb } from '../../../../testbed/companion.js';
import { startSimUnit } from '../../../../testbed/sim-unit.js';
import { testVendorKey } from '../../../../testbed/vendor-test-key.js';
import { runCli } from '../../helpers/run-cli.js';

/** `pitwall recovery ...` over the USB serial pty of a unit in recovery mode. */
const RECOVERY_CLI = fileURLToPath(new URL('../../../../device-firmware-ts/dist/recovery/recovery-cli.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'pitwall-cli-recovery-'));
const unitDir = join(tmp, 'unit');
const ownerDir = join(tmp, 'owner');
const strangerDir = join(tmp, 'stranger');
const port = join(unitDir, 'usb-host');
let recovery: ChildProcess | null = null;
let unitId = '';
const bundles = { good: join(tmp, 'good.pwb'), tampered: join(tmp, 'tampered.pwb') };

const cli = (args: string[]) => runCli(args);
const rec = (dir: string, ...args: string[]) => cli(['recovery', ...args, '--serial', port, '--data-dir', dir]);

before(async () => {
  // A unit that has run once (its identity made) with this companion paired as owner over USB.
  const unit = await startSimUnit({ dataDir: unitDir, name: 'Recovery Unit' });
  await pairOverUsb(unit, ownerDir);
  unitId = unit.ready.id;
  await unit.stop();
  // Recovery mode on the same data, as pitwall-boot starts it with the button held.
  const vendor = await testVendorKey(tmp);
  const runtime = join(tmp, 'runtime');
  mkdirSync(runtime);
  writeFileSync(join(runtime, 'runtime.mjs'), '// a runtime\n');
  writeFileSync(join(runtime, 'data.bin'), Buffer.alloc(40_000, 7));
  await buildBundle({ runtimeDir: runtime, runtimeVersion: '99.0.0', entry: 'runtime.mjs', compatibleModels: ['PW-1-sim'], minReplaceVersion: '0.0.1' }, join(tmp, 'u.pwb'));
  await signBundle(join(tmp, 'u.pwb'), bundles.good, vendor.key);
  const bytes = readFileSync(bundles.good);
  bytes[bytes.length - 100]! ^= 0x01;
  writeFileSync(bundles.tampered, bytes);
  recovery = spawn(process.execPath, [RECOVERY_CLI, 'sim', '--data-dir', unitDir, '--api-port', '0', '--host', '127.0.0.1', '--vendor-keys', vendor.keysDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  recovery.stderr!.resume();
  const lines = createInterface({ input: recovery.stdout! });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('recovery mode did not start')), 30_000);
    lines.on('line', (l) => l.startsWith('{"recovery":"ready"') && (clearTimeout(t), resolve()));
  });
});

after(async () => {
  if (recovery && recovery.exitCode === null) {
    const exited = once(recovery, 'exit');
    recovery.kill('SIGTERM');
    await exited;
  }
  rmSync(tmp, { recursive: true, force: true });
});

test('pitwall recovery over USB serial: status, a tampered bundle refused, a signed one installed, rollback, strangers refused, factory reset only with the unit id', async () => {
  const status = await rec(ownerDir, 'status');
  assert.equal(status.code, 0, status.out + status.err);
  assert.match(status.out, new RegExp(`unit ${unitId} in recovery mode: active slot A`));

  const stranger = await rec(strangerDir, 'status');
  assert.equal(stranger.code, 1, stranger.out + stranger.err);
  assert.match(stranger.err, /refused \(unauthorized\): .*not an active operator/);

  const bad = await rec(ownerDir, 'install', bundles.tampered);
  assert.equal(bad.code, 1, bad.out + bad.err);
  assert.match(bad.err, /refused \((payload-mismatch|bad-signature|truncated)\)/);
  assert.match((await rec(ownerDir, 'status')).out, /B - \(empty\)/, 'slot B as it was');

  const good = await rec(ownerDir, 'install', bundles.good);
  assert.equal(good.code, 0, good.out + good.err);
  assert.match(good.out, /sending .*100%/);
  assert.match(good.out, /installed 99\.0\.0 in slot B/);
  assert.match((await rec(ownerDir, 'status')).out, /B 99\.0\.0 \(installed\)/);

  const back = await rec(ownerDir, 'rollback', 'B');
  assert.equal(back.code, 0, back.out + back.err);
  assert.match(back.out, /slot B \(99\.0\.0\) is active and last good/);

  const unconfirmed = await rec(ownerDir, 'factory-reset');
  assert.equal(unconfirmed.code, 2);
  assert.match(unconfirmed.err, new RegExp(`--confirm ${unitId}`));
  const reset = await rec(ownerDir, 'factory-reset', '--confirm', unitId);
  assert.equal(reset.code, 0, reset.out + reset.err);
  assert.match(reset.out, /wiped .*operators.*identity .* kept/);
  assert.equal((await rec(ownerDir, 'status')).code, 1, 'nobody is paired after the reset');
});
