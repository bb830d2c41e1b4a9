import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pairOverUsb } from '../../../../testbed/companion.js';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { testVendorKey, type TestVendorKey } from '../../../../testbed/vendor-test-key.js';
import { makeBundle, vendorKey } from '../../../../device-firmware-ts/test/helpers/bundles.js';
import { runCli } from '../../helpers/run-cli.js';

/** `pitwall update push|status`: two real sim units over HTTPS, a companion paired over their USB serial ends. */
const tmp = mkdtempSync(join(tmpdir(), 'pitwall-cli-update-'));
const companionDir = join(tmp, 'companion');
let units: SimUnit[] = [];
let addresses: string[] = [];
let vendor: TestVendorKey;

const cli = runCli;
const where = () => [...addresses.flatMap((a) => ['--address', a]), '--no-mdns', '--data-dir', companionDir];

before(async () => {
  vendor = await testVendorKey(tmp);
  units = await Promise.all(['Car 1', 'Car 2'].map((name, i) => startSimUnit({ dataDir: join(tmp, `unit-${i}`), name, vendorKeysDir: vendor.keysDir })));
  addresses = units.map((u) => `127.0.0.1:${u.ready.apiPort}`);
  for (const u of units) await pairOverUsb(u, companionDir);
});

after(async () => {
  await Promise.all(units.map((u) => u.stop()));
  rmSync(tmp, { recursive: true, force: true });
});

test('pitwall update push: a bundle signed by a key the units do not pin is refused by each, with the reason', async () => {
  const file = join(tmp, 'foreign.pwb');
  writeFileSync(file, await makeBundle({ dir: tmp, tag: 'foreign', version: '0.2.0', minReplaceVersion: '0.0.1', models: ['PW-1-sim'], key: vendorKey() }));
  const r = await cli(['update', 'push', file, 'Car 1', 'Car 2', ...where()]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /^Car 1: refused: .*not signed by a key this unit trusts|^Car 1: refused: .*unknown/m);
  assert.match(r.out, /^Car 2: refused: /m);
  const status = await cli(['update', 'status', ...where()]);
  assert.equal(status.code, 0, status.out + status.err);
  assert.match(status.out, /^Car 1: failed: /m);
});

test('pitwall update push --all: a signed bundle streamed to both units at once, progress shown, each reports it installed', async () => {
  const file = join(tmp, 'good.pwb');
  writeFileSync(file, await makeBundle({ dir: tmp, tag: 'good', version: '0.2.0', minReplaceVersion: '0.0.1', models: ['PW-1-sim'], key: vendor.key, sizes: [400_000, 2_000, 600_000] }));
  const r = await cli(['update', 'push', file, '--all', '--no-watch', ...where()]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^overall \d+% \| /m);
  assert.match(r.out, /^Car 1: installed 0\.2\.0 in slot B; rebooting into it$/m);
  assert.match(r.out, /^Car 2: installed 0\.2\.0 in slot B; rebooting into it$/m);
  const status = await cli(['update', 'status', 'Car 1', ...where()]);
  assert.match(status.out, /^Car 1: rebooting 0\.2\.0; booted A; slots A - \(\w+\), B 0\.2\.0 \(installed\)$/m);
  const usage = await cli(['update', 'push', file, ...where()]);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /to which units\?/);
});
