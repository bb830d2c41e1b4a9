import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { apiError, crashList, healthList, logBootList, wifiNetworkList, wifiProfileList, wifiStatus, type WifiProfile } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { simGpioCommand } from '../../../../testbed/sim-gpio.js';
import { https, makeOperator, pairOverSerial, readAudit, type OperatorCreds, type Res } from '../../helpers/https-client.js';
import { SerialRpcClient } from '../../helpers/serial-rpc-client.js';
import { watchCmdlines, type CmdlineWatch } from '../../helpers/cmdline-watch.js';
import { fakeNmcli } from '../../helpers/nmcli-recordings.js';
import { wifiCall } from '../../helpers/wifi-serial.js';
import { prng, pick } from '../../helpers/prng.js';
import { tempDir } from '../../helpers/paths.js';

// A sim unit managing Wi-Fi through the replaying nmcli: first setup over USB, roles over HTTPS
// and USB, fuzzed input, connect time in health, and planted passwords searched for everywhere.
const PLANTED = 'Plant3d-W1fi-S3cret!';
const PLANTED_SUPPORT = 'Supp0rt-Planted-Pw';
const SECRETS = [PLANTED, PLANTED_SUPPORT];

let tmp: { dir: string; cleanup: () => Promise<void> };
let dataDir: string;
let fakeDir: string;
let config: string;
let unit: SimUnit | undefined;
let base: string;
let watch: CmdlineWatch;
const answers: string[] = [];
const ops = {} as Record<'owner' | 'dealer' | 'staff' | 'support', OperatorCreds>;

const call = async (who: OperatorCreds, method: string, path: string, body?: unknown): Promise<Res> => {
  const res = await https(base, method, path, { client: who, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }), timeoutMs: 30_000 });
  answers.push(res.body);
  return res;
};
const ok = (res: Res) => {
  assert.equal(res.status, 200, res.body);
  return JSON.parse(res.body) as unknown;
};
const message = (res: Res) => apiError.parse(JSON.parse(res.body)).error.message;
const profiles = async () => wifiProfileList.parse(ok(await call(ops.owner, 'GET', '/v1/wifi/profiles'))).profiles;
const keyfiles = async () => (await readdir(join(dataDir, 'nm-connections'))).sort();

async function boot(): Promise<void> {
  unit = await startSimUnit({ dataDir, speed: 20, extraArgs: ['--config', config], env: { FAKE_NMCLI_DIR: fakeDir } });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
}

before(async () => {
  tmp = await tempDir('wifi-unit');
  dataDir = join(tmp.dir, 'unit');
  fakeDir = join(tmp.dir, 'fake-nmcli');
  await mkdir(fakeDir);
  config = join(tmp.dir, 'unit.json');
  await writeFile(config, JSON.stringify({ network: { nmcli: fakeNmcli, connectTimeoutS: 10, firstSetupWindowS: 600 }, health: { intervalS: 1 } }));
  watch = watchCmdlines('fake-nmcli', SECRETS);
  await boot();
});
let watchResult: ReturnType<CmdlineWatch['stop']> | undefined;
const stopWatch = () => (watchResult ??= watch.stop());
after(async () => {
  await stopWatch();
  await unit?.stop();
  await tmp.cleanup();
});

test('first setup over USB, Improv-style: a unit without an owner takes scan, credentials and connect unsigned, and says its address', async () => {
  const usb = await SerialRpcClient.open(unit!.ready.serialPath);
  try {
    const hello = await usb.call(1, 'hello');
    assert.ok('result' in hello);
    const scan = await wifiCall(usb, unit!.ready.id, 'wifi.scan', { rescan: true }, null);
    assert.ok('result' in scan, JSON.stringify(scan));
    assert.equal(wifiNetworkList.parse(scan.result).networks.length, 14);
    const add = await wifiCall(usb, unit!.ready.id, 'wifi.add', { network: { ssid: 'HomeNet', security: 'wpa2-personal', password: PLANTED, priority: 10 } }, null);
    assert.ok('result' in add, JSON.stringify(add));
    const saved = add.result as WifiProfile;
    assert.equal(saved.kind, 'client');
    const conn = await wifiCall(usb, unit!.ready.id, 'wifi.connect', { uuid: saved.uuid }, null);
    assert.ok('result' in conn, JSON.stringify(conn));
    const status = wifiStatus.parse(conn.result);
    assert.equal(status.connected, true);
    assert.equal(status.ssid, 'HomeNet');
    assert.equal(status.address, '192.168.1.20/24');
    assert.ok(status.connectTimeMs !== null && status.connectTimeMs >= 0);
    answers.push(JSON.stringify([scan, add, conn]));
    const audit = (await readAudit(dataDir)).filter((r) => r.event === 'wifi');
    assert.deepEqual(audit.map((r) => [r.via, r.role, r.outcome]), [['usb', null, 'ok'], ['usb', null, 'ok']]);
    assert.match(audit[0]!.detail, /first setup over USB: saved client network "HomeNet"/);
  } finally {
    await usb.close();
  }
});

test('once paired, USB Wi-Fi needs a signed nonce from an owner or dealer; staff may read, support nothing', async () => {
  for (const role of ['owner', 'dealer', 'staff', 'support'] as const) {
    ops[role] = await makeOperator(`${role} wifi`);
    await pairOverSerial(unit!.ready.serialPath, ops[role], role);
  }
  const usb = await SerialRpcClient.open(unit!.ready.serialPath);
  try {
    const id = unit!.ready.id;
    const before = await keyfiles();
    const unsigned = await wifiCall(usb, id, 'wifi.add', { network: { ssid: 'Office', security: 'open' } }, null);
    assert.ok('error' in unsigned && /needs a paired owner or dealer/.test(unsigned.error.message), JSON.stringify(unsigned));
    const byStaff = await wifiCall(usb, id, 'wifi.add', { network: { ssid: 'Office', security: 'open' } }, ops.staff);
    assert.ok('error' in byStaff && /role staff may not change/.test(byStaff.error.message), JSON.stringify(byStaff));
    assert.ok('result' in (await wifiCall(usb, id, 'wifi.list', {}, ops.staff)));
    const bySupport = await wifiCall(usb, id, 'wifi.list', {}, ops.support);
    assert.ok('error' in bySupport && /role support may not see/.test(bySupport.error.message));
    // A nonce is single-use: replaying a signed call is refused.
    const n = await usb.call(50, 'wifi.nonce');
    const { nonce } = (n as { result: { nonce: string } }).result;
    const { createPrivateKey, sign } = await import('node:crypto');
    const { wifiSerialMessage } = await import('@pitwall/protocol');
    const auth = { certificate: ops.owner.certPem, nonce, signature: sign(null, Buffer.from(wifiSerialMessage(id, nonce, 'wifi.add')), createPrivateKey(ops.owner.keyPem)).toString('base64') };
    const first = await usb.call(51, 'wifi.add', { auth, network: { ssid: 'Office', security: 'open' } });
    assert.ok('result' in first, JSON.stringify(first));
    const replay = await usb.call(52, 'wifi.add', { auth, network: { ssid: 'Office2', security: 'open' } });
    assert.ok('error' in replay && /nonce is unknown, used or expired/.test(replay.error.message));
    // A signature for another method does not carry over.
    const n2 = (await usb.call(53, 'wifi.nonce')) as { result: { nonce: string } };
    const wrong = { certificate: ops.owner.certPem, nonce: n2.result.nonce, signature: sign(null, Buffer.from(wifiSerialMessage(id, n2.result.nonce, 'wifi.list')), createPrivateKey(ops.owner.keyPem)).toString('base64') };
    const mismatch = await usb.call(54, 'wifi.remove', { auth: wrong, uuid: (first as { result: WifiProfile }).result.uuid });
    assert.ok('error' in mismatch && /signature does not match/.test(mismatch.error.message));
    assert.equal((await keyfiles()).length, before.length + 1, 'only the one signed add changed anything');
  } finally {
    await usb.close();
  }
});

test('HTTPS: owner and dealer change Wi-Fi, staff reads, support gets nothing; the support network stays first', async () => {
  assert.equal((await call(ops.support, 'GET', '/v1/wifi/status')).status, 403);
  assert.equal((await call(ops.support, 'GET', '/v1/wifi/networks')).status, 403);
  assert.equal(wifiStatus.parse(ok(await call(ops.staff, 'GET', '/v1/wifi/status'))).mode, 'client');
  const denied = await call(ops.staff, 'POST', '/v1/wifi/profiles', { ssid: 'X', security: 'open' });
  assert.equal(denied.status, 403);
  assert.match(message(denied), /role staff may not change the unit's Wi-Fi/);
  const support = wifiProfileList.parse({ profiles: [ok(await call(ops.dealer, 'POST', '/v1/wifi/profiles', { ssid: 'Pitwall Support', security: 'wpa3-personal', password: PLANTED_SUPPORT, kind: 'support' }))] }).profiles[0]!;
  assert.equal(support.priority, 999);
  const hidden = ok(await call(ops.owner, 'POST', '/v1/wifi/profiles', { ssidHex: '436166E9', security: 'open', hidden: true, priority: -3 })) as WifiProfile;
  assert.equal(hidden.name, 'Pitwall: hex 436166E9');
  const reorder = await call(ops.owner, 'PUT', `/v1/wifi/profiles/${support.uuid}/priority`, { priority: 5 });
  assert.equal(reorder.status, 409);
  assert.equal((await call(ops.owner, 'PUT', `/v1/wifi/profiles/${hidden.uuid}/priority`, { priority: 999 })).status, 400, '999 is the support network alone');
  ok(await call(ops.dealer, 'PUT', `/v1/wifi/profiles/${hidden.uuid}/priority`, { priority: 998 }));
  const list = await profiles();
  assert.equal(list[0]!.uuid, support.uuid, 'support first');
  assert.equal(list[1]!.uuid, hidden.uuid);
  const files = await keyfiles();
  for (const f of files) assert.equal((await stat(join(dataDir, 'nm-connections', f))).mode & 0o777, 0o600);
  ok(await call(ops.owner, 'DELETE', `/v1/wifi/profiles/${hidden.uuid}`));
  assert.equal((await call(ops.owner, 'DELETE', `/v1/wifi/profiles/${hidden.uuid}`)).status, 404);
  const home = (await profiles()).find((p) => p.name === 'Pitwall: HomeNet')!;
  const status = wifiStatus.parse(ok(await call(ops.owner, 'POST', `/v1/wifi/profiles/${home.uuid}/connect`)));
  assert.equal(status.address, '192.168.1.20/24');
  await writeFile(join(fakeDir, 'scenario'), 'activation-fails');
  const failed = await call(ops.owner, 'POST', `/v1/wifi/profiles/${support.uuid}/connect`);
  assert.equal(failed.status, 502);
  assert.match(message(failed), /could not be brought up/);
  await writeFile(join(fakeDir, 'scenario'), 'not-running');
  const down = await call(ops.owner, 'GET', '/v1/wifi/networks');
  assert.equal(down.status, 503);
  assert.match(message(down), /NetworkManager is not running/);
  await writeFile(join(fakeDir, 'scenario'), 'ok');
  const audit = (await readAudit(dataDir)).filter((r) => r.event === 'wifi');
  assert.ok(audit.some((r) => r.role === 'dealer' && /saved support network "Pitwall Support"/.test(r.detail)));
  assert.ok(audit.some((r) => r.outcome === 'error' && /connect failed/.test(r.detail)));
});

test('fuzzed bodies get a clear 4xx, change nothing and never echo a password', async () => {
  const rand = prng(1207);
  const beforeList = JSON.stringify(await profiles());
  const beforeFiles = await keyfiles();
  const uuid = JSON.parse(beforeList)[0].uuid as string;
  const values = [PLANTED, '', 'x'.repeat(70), 'short', null, 7, -1, Number.POSITIVE_INFINITY, true, [], {}, 'A'.repeat(33), '\u0000\n', 'ZZ', '436166E9', 'wpa2-personal', 'open', 'support', 999, -1000, 1.5, '../../etc'];
  const keys = ['ssid', 'ssidHex', 'security', 'password', 'hidden', 'priority', 'kind', 'extra', '__proto__'];
  for (let i = 0; i < 60; i++) {
    const body: Record<string, unknown> = {};
    for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) body[pick(rand, keys)] = pick(rand, values);
    if (rand() < 0.5) body.password = PLANTED;
    if (body.security === 'open' && body.ssid === undefined && body.ssidHex === undefined) delete body.security;
    const raw = rand() < 0.15 ? `{"password":"${PLANTED}", ${pick(rand, ['', '}', '"ssid":', 'nul'])}` : JSON.stringify(body);
    const target = pick(rand, ['POST /v1/wifi/profiles', `PUT /v1/wifi/profiles/${uuid}/priority`, 'PUT /v1/wifi/profiles/not-a-uuid/priority', 'PUT /v1/wifi/mode']);
    const [method, path] = target.split(' ') as [string, string];
    const who = path === '/v1/wifi/mode' ? ops.dealer : ops.owner;
    const res = await call(who, method, path, raw);
    if (res.status === 200) {
      // A well-formed request may pass; it must then be a real change, undone here.
      const p = JSON.parse(res.body) as Partial<WifiProfile>;
      if (p.uuid && method === 'POST') ok(await call(ops.owner, 'DELETE', `/v1/wifi/profiles/${p.uuid}`));
      continue;
    }
    assert.ok(res.status >= 400 && res.status < 500, `${target} ${raw}: ${res.status} ${res.body}`);
    assert.ok(message(res).length > 10);
    assert.ok(!res.body.includes(PLANTED), `${target} echoed the password: ${res.body}`);
  }
  const after = JSON.parse(JSON.stringify(await profiles())) as WifiProfile[];
  assert.deepEqual(after.map((p) => p.uuid).sort(), (JSON.parse(beforeList) as WifiProfile[]).map((p) => p.uuid).sort());
  assert.deepEqual(await keyfiles(), beforeFiles);
});

test('health snapshots carry the connect time', async () => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const snaps = healthList.parse(ok(await call(ops.owner, 'GET', '/v1/health'))).snapshots;
    const last = snaps.at(-1);
    if (last?.wifi?.connectTimeMs !== undefined && last.wifi.connectTimeMs !== null) {
      assert.equal(last.wifi.mode, 'client');
      break;
    }
    assert.ok(Date.now() < deadline, `no connect time in health: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
});

test('planted passwords appear in no argv, log, audit record, API answer, crash dump or other file of the unit', async () => {
  // A crash now: its dump holds the last log records and the unit's state.
  const dying = unit!;
  assert.equal(await simGpioCommand(dataDir, 'inject crash'), 'ok');
  await new Promise((r) => (dying.process.exitCode !== null ? r(null) : dying.process.once('exit', r)));
  await boot();
  const crashes = crashList.parse(ok(await call(ops.owner, 'GET', '/v1/crashes'))).crashes;
  assert.ok(crashes.length >= 1);
  for (const c of crashes) ok(await call(ops.owner, 'GET', `/v1/crashes/${c.id}`));
  for (const b of logBootList.parse(ok(await call(ops.owner, 'GET', '/v1/logs/boots'))).boots) assert.equal((await call(ops.owner, 'GET', `/v1/logs?boot=${b.boot}`)).status, 200);
  ok(await call(ops.owner, 'GET', '/v1/wifi/status'));
  const result = await stopWatch();
  assert.deepEqual(result.hits, [], 'a password was in some process argv');
  assert.ok(result.seen >= 3, `the watcher saw the nmcli calls (${result.seen} of them in ${result.sweeps} sweeps)`);
  // Every file the unit and the stand-in nmcli wrote, except the two that hold secrets by design (0600).
  const bySecret = new Set([join(dataDir, 'wifi', 'hotspot-psk')]);
  const files: string[] = [];
  for (const root of [dataDir, fakeDir]) {
    for (const f of await readdir(root, { recursive: true })) {
      const p = join(root, f);
      if ((await stat(p)).isFile()) files.push(p);
    }
  }
  const texts = [...answers, ...dying.output, ...unit!.output];
  for (const f of files) {
    const mode = (await stat(f)).mode & 0o777;
    if (f.includes(`${join(dataDir, 'nm-connections')}/`) || bySecret.has(f)) {
      assert.equal(mode, 0o600, `${f} holds a secret and must be 0600`);
      continue;
    }
    texts.push((await readFile(f)).toString('latin1'));
  }
  assert.ok(files.some((f) => f.includes('crash')), 'a crash dump was among the files');
  assert.ok(files.some((f) => f.endsWith('audit.jsonl')));
  for (const s of SECRETS) {
    const leaks = texts.filter((t) => t.toLowerCase().includes(s.toLowerCase()));
    assert.deepEqual(leaks.map((t) => t.slice(0, 200)), [], `${s} leaked`);
  }
  // And the keyfiles do hold them: the search would have found them.
  const keyText = (await Promise.all((await keyfiles()).map((f) => readFile(join(dataDir, 'nm-connections', f), 'utf8')))).join('');
  assert.ok(keyText.includes(PLANTED) && keyText.includes(PLANTED_SUPPORT));
});
