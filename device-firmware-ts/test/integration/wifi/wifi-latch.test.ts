import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { wifiStatus } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { simGpioCommand } from '../../../../testbed/sim-gpio.js';
import { https, makeOperator, pairOverSerial, readAudit, type OperatorCreds } from '../../helpers/https-client.js';
import { fakeNmcli } from '../../helpers/nmcli-recordings.js';
import { tempDir } from '../../helpers/paths.js';

// The hotspot latch, read at boot and strictly honoured: it changes the mode only through a
// reboot or an owner's command.
let tmp: { dir: string; cleanup: () => Promise<void> };
let dataDir: string;
let fakeDir: string;
let unit: SimUnit | undefined;
let base: string;
let owner: OperatorCreds;
let dealer: OperatorCreds;

async function boot(latch: boolean): Promise<void> {
  const config = join(tmp.dir, `unit-${latch}.json`);
  await writeFile(config, JSON.stringify({ network: { nmcli: fakeNmcli, hotspotSsid: 'Pitwall-Label AP' }, sim: { hotspotLatch: latch } }));
  unit = await startSimUnit({ dataDir, speed: 20, extraArgs: ['--config', config], env: { FAKE_NMCLI_DIR: fakeDir } });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
}
const status = async () => {
  const res = await https(base, 'GET', '/v1/wifi/status', { client: owner, timeoutMs: 20_000 });
  assert.equal(res.status, 200, res.body);
  return wifiStatus.parse(JSON.parse(res.body));
};
const fakeState = async () => JSON.parse(await readFile(join(fakeDir, 'state.json'), 'utf8')) as { active: string | null; profiles: { uuid: string; name: string; mode: string; file: string }[] };

before(async () => {
  tmp = await tempDir('wifi-latch');
  dataDir = join(tmp.dir, 'unit');
  fakeDir = join(tmp.dir, 'fake');
  await mkdir(fakeDir);
  await boot(true);
  owner = await makeOperator('owner latch');
  dealer = await makeOperator('dealer latch');
  await pairOverSerial(unit!.ready.serialPath, owner, 'owner');
  await pairOverSerial(unit!.ready.serialPath, dealer, 'dealer');
});
after(async () => {
  await unit?.stop();
  await tmp.cleanup();
});

test('latch closed at boot: the hotspot (mode ap, ipv4 shared, the label SSID and password) is up, and the API says why', async () => {
  const s = await status();
  assert.equal(s.mode, 'hotspot');
  assert.equal(s.reason, 'the hotspot latch was closed at boot');
  assert.deepEqual(s.latch, { atBoot: 'hotspot', now: 'hotspot' });
  assert.equal(s.ssid, 'Pitwall-Label AP');
  assert.equal(s.address, '10.42.0.1/24');
  const st = await fakeState();
  const hotspot = st.profiles.find((p) => p.name === 'Pitwall hotspot')!;
  assert.equal(st.active, hotspot.uuid);
  assert.equal(hotspot.mode, 'ap');
  const keyfile = await readFile(hotspot.file, 'utf8');
  assert.match(keyfile, /^method=shared$/m);
  assert.match(keyfile, /^autoconnect=false$/m);
  const pskFile = join(dataDir, 'wifi', 'hotspot-psk');
  assert.equal((await stat(pskFile)).mode & 0o777, 0o600);
  const psk = (await readFile(pskFile, 'utf8')).trim();
  assert.ok(keyfile.includes(`psk=${psk}`), 'the label password is the hotspot key');
  const saved = await https(base, 'POST', '/v1/wifi/profiles', { client: owner, body: { ssid: 'Office', security: 'open' }, timeoutMs: 20_000 });
  assert.equal(saved.status, 200, 'client networks can be saved while in hotspot mode');
  const uuid = (JSON.parse(saved.body) as { uuid: string }).uuid;
  const refused = await https(base, 'POST', `/v1/wifi/profiles/${uuid}/connect`, { client: owner, timeoutMs: 20_000 });
  assert.equal(refused.status, 409);
  assert.match(refused.body, /hotspot mode \(its latch\)/);
  assert.equal((await fakeState()).active, hotspot.uuid, 'still the hotspot');
});

test('moving the latch while running changes nothing until a reboot or an owner command; the API shows both positions', async () => {
  assert.equal(await simGpioCommand(dataDir, 'switch hotspot off'), 'ok');
  await new Promise((r) => setTimeout(r, 1500));
  const s = await status();
  assert.equal(s.mode, 'hotspot');
  assert.deepEqual(s.latch, { atBoot: 'hotspot', now: 'client' });
  const hotspot = (await fakeState()).profiles.find((p) => p.name === 'Pitwall hotspot')!;
  assert.equal((await fakeState()).active, hotspot.uuid);
  const byDealer = await https(base, 'PUT', '/v1/wifi/mode', { client: dealer, body: { mode: 'client' }, timeoutMs: 20_000 });
  assert.equal(byDealer.status, 403, 'only the owner switches modes');
  const byOwner = await https(base, 'PUT', '/v1/wifi/mode', { client: owner, body: { mode: 'client' }, timeoutMs: 20_000 });
  assert.equal(byOwner.status, 200, byOwner.body);
  const after = wifiStatus.parse(JSON.parse(byOwner.body));
  assert.equal(after.mode, 'client');
  assert.match(after.reason, /owner "owner laptop" switched to client mode \(latch at boot: hotspot\)/);
  assert.equal((await fakeState()).active, null, 'the hotspot went down');
  assert.ok((await readAudit(dataDir)).some((r) => r.event === 'wifi' && r.role === 'owner' && /mode hotspot -> client/.test(r.detail)));
});

test('a reboot reads the latch again: open gives client mode, closed the same hotspot with the same label password', async () => {
  await unit!.stop();
  await boot(false);
  const s = await status();
  assert.equal(s.mode, 'client');
  assert.equal(s.reason, 'the hotspot latch was open at boot');
  const psk = await readFile(join(dataDir, 'wifi', 'hotspot-psk'), 'utf8');
  await unit!.stop();
  await boot(true);
  assert.equal((await status()).mode, 'hotspot');
  assert.equal(await readFile(join(dataDir, 'wifi', 'hotspot-psk'), 'utf8'), psk);
  assert.equal((await readdir(join(dataDir, 'nm-connections'))).length, 2, 'one hotspot profile, rewritten, plus the saved network');
});
