import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { LicenseStatus } from '@pitwall/protocol';
import { pairOverUsb, runCli } from '../../../../testbed/companion.js';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { testVendorKey, type TestVendorKey } from '../../../../testbed/vendor-test-key.js';
import { licensePayloadFor, revocationListFor, writeLicenseFile, writeRevocationFile } from '../../../../app/test/helpers/license-files.js';

/**
 * `pitwall license install|status|revocations` against two real sim units enforcing licences:
 * Car 1 paired as owner, Car 2 as staff (which may read a licence but not install one).
 */
const tmp = mkdtempSync(join(tmpdir(), 'pitwall-cli-license-'));
const companionDir = join(tmp, 'companion');
let units: SimUnit[] = [];
let addresses: string[] = [];
let vendor: TestVendorKey;

const cli = runCli;
const where = () => [...addresses.flatMap((a) => ['--address', a]), '--no-mdns', '--data-dir', companionDir];
type Row = { unitId: string; name: string | null; online: boolean; seenAt: number | null; status: LicenseStatus | null };
async function statusJson(code = 0): Promise<Map<string, Row>> {
  const r = await cli(['license', 'status', '--json', ...where()]);
  assert.equal(r.code, code, r.out + r.err);
  return new Map((JSON.parse(r.out) as Row[]).map((row) => [row.name ?? row.unitId, row]));
}

before(async () => {
  vendor = await testVendorKey(tmp);
  // The companion knows the vendor's public key too: it verifies files and keeps only verified revocation lists.
  mkdirSync(join(companionDir, 'vendor-keys'), { recursive: true });
  for (const f of readdirSync(vendor.keysDir)) copyFileSync(join(vendor.keysDir, f), join(companionDir, 'vendor-keys', f));
  // Enforcing as real hardware does (the sim's default is not to).
  const config = join(tmp, 'unit.json');
  writeFileSync(config, JSON.stringify({ sim: { licenseEnforced: true } }));
  units = await Promise.all(
    ['Car 1', 'Car 2'].map((name, i) => startSimUnit({ dataDir: join(tmp, `unit-${i}`), name, vendorKeysDir: vendor.keysDir, extraArgs: ['--config', config] })),
  );
  addresses = units.map((u) => `127.0.0.1:${u.ready.apiPort}`);
  const pair = (i: number, role: 'owner' | 'staff', dataDir: string) => pairOverUsb(units[i]!, dataDir, role);
  await pair(0, 'owner', companionDir);
  // Car 2's owner is another companion; this one is its staff.
  await pair(1, 'owner', join(tmp, 'other-companion'));
  await pair(1, 'staff', companionDir);
});

after(async () => {
  await Promise.all(units.map((u) => u.stop()));
  rmSync(tmp, { recursive: true, force: true });
});

test('pitwall license install: the file shown first, then a result per unit; a staff pairing is refused, the owner installs', async () => {
  const before = await statusJson();
  assert.equal(before.get('Car 1')?.status?.state, 'none');
  const file = await writeLicenseFile(tmp, 'stock.json', vendor.key, licensePayloadFor(vendor.key, { licenseId: 'stock-pw1', scope: { model: 'PW-1-sim' }, features: ['live-timing', 'sectors'] }));
  const r = await cli(['license', 'install', file, 'Car 1', 'Car 2', ...where()]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /^Licence stock-pw1 for model .*: live-timing sectors; \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d \(\+14 days grace\)$/m);
  assert.match(r.out, /^Signed by [0-9a-f]{16}…: verified against this companion’s vendor keys$/m);
  assert.match(r.out, /^Car 1: installed; active, \d+ days left; stock-pw1, until \d{4}-\d\d-\d\d; live-timing sectors; /m);
  assert.match(r.out, /^Car 2: refused: role staff may not install/m);
  const after = await statusJson();
  assert.equal(after.get('Car 1')?.status?.state, 'active');
  assert.deepEqual(after.get('Car 1')?.status?.features, ['live-timing', 'sectors']);
  assert.equal(after.get('Car 2')?.status?.state, 'none', 'the staff-paired unit kept no licence');
});

test('a licence bound to another unit is refused by the unit with its reason, and the installed one stays', async () => {
  const file = await writeLicenseFile(tmp, 'other.json', vendor.key, licensePayloadFor(vendor.key, { licenseId: 'other-unit', scope: { unitId: 'ffffffff-0000-4000-8000-000000000000' } }));
  const r = await cli(['license', 'install', file, 'Car 1', ...where()]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /^Car 1: refused: .*(another unit|bound|not for this unit)/im);
  const st = await statusJson();
  assert.equal(st.get('Car 1')?.status?.licenseId, 'stock-pw1');
  assert.equal(st.get('Car 1')?.status?.state, 'active');
});

test('pitwall license revocations import: the companion carries the list to the units it may give it to; an older list is refused', async () => {
  const list = await writeRevocationFile(tmp, 'rl-2.json', vendor.key, revocationListFor(vendor.key, 2, ['stock-pw1']));
  const r = await cli(['license', 'revocations', 'import', list, ...where()]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^Carrying revocation list #2: 1 revoked/m);
  const st = await statusJson(4);
  assert.equal(st.get('Car 1')?.status?.state, 'revoked', JSON.stringify(st.get('Car 1')));
  assert.equal(st.get('Car 1')?.status?.revocationListNumber, 2);
  // Car 2 is paired as staff: the unit refuses it the list; that is not an error of the status command.
  assert.equal(st.get('Car 2')?.status?.revocationListNumber, 0);
  const text = await cli(['license', 'status', ...where()]);
  assert.equal(text.code, 4, 'a stopped licence: its own exit code, for scripts');
  assert.match(text.out.split('\n')[0]!, /^Car 1: revoked/, 'the revoked unit first');
  assert.match(text.err, /^pitwall: 1 unit has a licence that stopped: Car 1 revoked$/m);

  const old = await writeRevocationFile(tmp, 'rl-1.json', vendor.key, revocationListFor(vendor.key, 1));
  const refused = await cli(['license', 'revocations', 'import', old, ...where()]);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /revocation list 1 is older than list 2, which this companion holds: kept 2/);
  const held = await cli(['license', 'revocations', ...where()]);
  assert.match(held.out, /^Carrying revocation list #2/m);
});

test('pitwall license status offline: a unit that is gone shows what it last reported, and when', async () => {
  await units[0]!.stop();
  const r = await cli(['license', 'status', '--timeout', '1', ...where()]);
  assert.equal(r.code, 4, r.out + r.err);
  assert.match(r.out, /^Car 1: revoked; stock-pw1, until .* \[as reported \d{4}-\d\d-\d\d \d\d:\d\d UTC\]$/m);
  const usage = await cli(['license', 'install', ...where()]);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /a licence file and at least one unit/);
});
