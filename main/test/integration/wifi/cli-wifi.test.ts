import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { pairOverUsb } from '../../../../testbed/companion.js';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { runCli } from '../../helpers/run-cli.js';

/** `pitwall wifi ...` against a sim unit whose Wi-Fi runs through the replaying nmcli. */
const FAKE_NMCLI = fileURLToPath(new URL('../../../../testbed/fake-nmcli/nmcli', import.meta.url));
const PASSWORD = 'Cl1-Planted pass';
const tmp = mkdtempSync(join(tmpdir(), 'pitwall-cli-wifi-'));
const unitDir = join(tmp, 'unit');
const ownerDir = join(tmp, 'owner');
const staffDir = join(tmp, 'staff');
let unit: SimUnit;
let address: string;

const cli = runCli;
const wifi = (sub: string, dir: string, rest: string[] = [], stdin = '') => cli(['wifi', sub, address, ...rest, '--no-mdns', '--data-dir', dir, '--timeout', '10'], stdin);
const keyfiles = () => readdirSync(join(unitDir, 'nm-connections')).map((f) => readFileSync(join(unitDir, 'nm-connections', f), 'utf8'));

before(async () => {
  mkdirSync(join(tmp, 'fake'));
  writeFileSync(join(tmp, 'unit.json'), JSON.stringify({ network: { nmcli: FAKE_NMCLI } }));
  unit = await startSimUnit({ dataDir: unitDir, name: 'Wifi Unit', extraArgs: ['--config', join(tmp, 'unit.json')], env: { FAKE_NMCLI_DIR: join(tmp, 'fake') } });
  address = `127.0.0.1:${unit.ready.apiPort}`;
  await pairOverUsb(unit, ownerDir, 'owner');
  await pairOverUsb(unit, staffDir, 'staff');
});

after(async () => {
  await unit?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('pitwall wifi: a password on the command line is refused before anything runs', async () => {
  for (const flag of ['--password', '--password=x', '--psk']) {
    const r = await wifi('add', ownerDir, ['HomeNet', flag, 'secret99']);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /never given on the command line/);
  }
  assert.deepEqual(readdirSync(join(unitDir, 'nm-connections')), []);
});

test('pitwall wifi add (password from stdin), list, scan, priority, connect, status, remove', async () => {
  const add = await wifi('add', ownerDir, ['HomeNet', '--security', 'wpa2', '--priority', '7'], `${PASSWORD}\n`);
  assert.equal(add.code, 0, add.out + add.err);
  const uuid = /\(([0-9a-f-]{36})\), priority 7\./.exec(add.out)?.[1];
  assert.ok(uuid, add.out);
  assert.ok(keyfiles().some((k) => k.includes('psk=Cl1-Planted\\spass')), 'the password reached the unit');
  const list = await wifi('list', ownerDir);
  assert.match(list.out, new RegExp(`^\\s+7  client\\s+${uuid}  Pitwall: HomeNet$`, 'm'));
  const scan = await wifi('scan', ownerDir);
  assert.equal(scan.code, 0, scan.err);
  assert.match(scan.out, /90%.*2\.4 GHz.*open\s+Cafe: Free WiFi/);
  assert.match(scan.out, /hex:436166E9/);
  assert.match(scan.out, /\(hidden\)/);
  const prio = await wifi('priority', ownerDir, [uuid!, '-5']);
  assert.equal(prio.code, 0, prio.err);
  assert.match(prio.out, /^\s+-5 {2}client/m);
  const conn = await wifi('connect', ownerDir, [uuid!]);
  assert.equal(conn.code, 0, conn.err);
  assert.match(conn.out, /Connected: HomeNet, signal 70%, address 192\.168\.1\.20\/24/);
  assert.match(conn.out, /Last connect took \d+\.\d s\./);
  const status = await wifi('status', staffDir);
  assert.equal(status.code, 0, status.err);
  assert.match(status.out, /^Mode: client \(the hotspot latch was open at boot\)$/m);
  const staffAdd = await wifi('add', staffDir, ['Office', '--security', 'open']);
  assert.equal(staffAdd.code, 4, staffAdd.out + staffAdd.err);
  assert.match(staffAdd.err, /role staff may not change the unit's Wi-Fi/);
  const rm = await wifi('remove', ownerDir, [uuid!]);
  assert.equal(rm.code, 0, rm.err);
  assert.deepEqual(keyfiles(), []);
  for (const r of [add, list, scan, prio, conn, status, staffAdd, rm]) assert.ok(!(r.out + r.err).includes(PASSWORD));
});

test("the unit's diagnostics archive and the companion's own files never hold the password", async () => {
  const archive = join(tmp, 'diag.tar.gz');
  const r = await cli(['diagnostics', address, '-o', archive, '--no-mdns', '--data-dir', ownerDir, '--timeout', '10']);
  assert.equal(r.code, 0, r.out + r.err);
  const tar = gunzipSync(readFileSync(archive)).toString('latin1');
  assert.ok(tar.includes('wifi'), 'the archive holds the Wi-Fi audit records and health');
  assert.ok(!tar.includes(PASSWORD), 'password in the diagnostics archive');
  for (const dir of [ownerDir, staffDir]) {
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      const p = join(dir, f);
      if (statSync(p).isFile()) assert.ok(!readFileSync(p).toString('latin1').includes(PASSWORD), `password in ${p}`);
    }
  }
});
