import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NmError} from '../../../src/hal/nm/index.js';
import { openNetworkManager, type NetworkManagerHal } from '../../../src/hal/nm/index.js';
import { fakeNmcli } from '../../helpers/nmcli-recordings.js';
import { tempDir } from '../../helpers/paths.js';

// The HAL against the stand-in nmcli (real processes, argv arrays), which replays recorded output.
let tmp: { dir: string; cleanup: () => Promise<void> };
let nm: NetworkManagerHal;
let fakeDir: string;
let connections: string;

const calls = async () => (await readFile(join(fakeDir, 'argv.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; lcAll: string | null });
const scenario = (s: string) => writeFile(join(fakeDir, 'scenario'), s);
const PASSWORD = 'p"a\'ss:wo\\rd 1 ';

before(async () => {
  tmp = await tempDir('nm-hal');
  fakeDir = join(tmp.dir, 'fake');
  connections = join(tmp.dir, 'system-connections');
  await mkdir(fakeDir);
  process.env.FAKE_NMCLI_DIR = fakeDir;
  nm = await openNetworkManager({ nmcli: fakeNmcli, ifname: 'wlan0', connectionsDir: connections, timeoutMs: 10_000 });
});
after(() => tmp.cleanup());

test('scan: rescan, then the list, every call in C.UTF-8 with an argv array', async () => {
  await scenario('ok');
  const nets = await nm.scan(true);
  assert.equal(nets.length, 14);
  assert.ok(nets.some((n) => n.ssid === 'Café ☕'));
  const c = await calls();
  assert.deepEqual(c.at(-2)!.argv, ['device', 'wifi', 'rescan', 'ifname', 'wlan0']);
  assert.equal(c.at(-1)!.argv.includes('SSID,SSID-HEX,BSSID,IN-USE,SIGNAL,SECURITY,CHAN,FREQ,MODE'), true);
  assert.ok(c.every((x) => x.lcAll === 'C.UTF-8'));
});

test('a WPA2 profile: 0600 keyfile with the secret, loaded by path; powersave off; priority and removal by uuid', async () => {
  await scenario('ok');
  const p = await nm.add({ ssid: new TextEncoder().encode('Cafe: Free WiFi'), label: 'Cafe: Free WiFi', kind: 'client', security: 'wpa2-personal', psk: PASSWORD, hidden: true, priority: 10 });
  assert.equal(p.name, 'Pitwall: Cafe: Free WiFi');
  assert.equal(p.priority, 10);
  assert.equal(p.kind, 'client');
  const files = await readdir(connections);
  assert.equal(files.length, 1);
  const file = join(connections, files[0]!);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const text = await readFile(file, 'utf8');
  assert.match(text, /^psk=p"a'ss:wo\\\\rd\\s1\\s$/m, 'backslash doubled, spaces as \\s');
  assert.match(text, /^powersave=2$/m);
  assert.match(text, /^hidden=true$/m);
  assert.match(text, /^ssid=67;97;102;101;58;32;70;114;101;101;32;87;105;70;105;$/m);
  const state = JSON.parse(await readFile(join(fakeDir, 'state.json'), 'utf8')) as { profiles: { fileMode: string; ssidHex: string }[] };
  assert.equal(state.profiles[0]!.fileMode, '600', 'the file was 0600 when NetworkManager loaded it');
  assert.equal(state.profiles[0]!.ssidHex, '436166653A20467265652057694669');
  await nm.setPriority(p.uuid, -5);
  assert.equal((await nm.list()).find((x) => x.uuid === p.uuid)!.priority, -5);
  await nm.up(p.uuid, 5000);
  const link = await nm.link();
  assert.deepEqual(link, { state: 'connected', connection: 'Pitwall: Cafe: Free WiFi', address: '192.168.1.20/24' });
  assert.ok((await nm.scan(false)).some((n) => n.inUse && n.ssid === 'Cafe: Free WiFi'));
  await nm.remove(p.uuid);
  assert.deepEqual(await nm.list(), []);
  const all = JSON.stringify(await calls());
  assert.ok(!all.includes('wo\\\\rd') && !all.includes('ss:wo'), 'the secret never reached nmcli argv');
  assert.ok((await calls()).some((c) => c.argv[0] === 'connection' && c.argv[1] === 'load' && c.argv[2] === file));
});

test('a failed load removes the keyfile it wrote', async () => {
  await scenario('rc:2');
  await assert.rejects(nm.add({ ssid: new Uint8Array([0x43, 0x61, 0x66, 0xe9]), label: 'hex 436166E9', kind: 'client', security: 'open', psk: null, hidden: false, priority: 0 }), (e: NmError) => e.kind === 'bad-input');
  assert.deepEqual(await readdir(connections), []);
});

test('every exit code 1..10 reaches the caller as its own kind; NetworkManager down and D-Bus down are told apart', async () => {
  const seen = new Map<number, string>();
  for (let code = 1; code <= 10; code++) {
    await scenario(`rc:${code}`);
    await assert.rejects(nm.list(), (e: NmError) => {
      assert.equal(e.exitCode, code);
      assert.match(e.message, /^listing saved networks: /);
      seen.set(code, e.kind);
      return true;
    });
  }
  assert.equal(new Set(seen.values()).size, 10);
  await scenario('not-running');
  await assert.rejects(nm.scan(true), (e: NmError) => e.kind === 'not-running' && /NetworkManager is not running/.test(e.message));
  await scenario('no-dbus');
  await assert.rejects(nm.general(), (e: NmError) => e.kind === 'not-running' && /D-Bus/.test(e.message));
  await scenario('radio-off');
  assert.deepEqual(await nm.general(), { running: true, wifiEnabled: false });
  assert.deepEqual(await nm.scan(true), [], 'a refused rescan is soft; the radio-off list is empty');
});

test('a hung nmcli is killed at the timeout; a missing nmcli is named', async () => {
  await scenario('delay:5000');
  const slow = await openNetworkManager({ nmcli: fakeNmcli, ifname: 'wlan0', connectionsDir: connections, timeoutMs: 400 });
  await assert.rejects(slow.list(), (e: NmError) => e.kind === 'timeout' && /within 0.4 s/.test(e.message));
  await scenario('ok');
  const none = await openNetworkManager({ nmcli: join(tmp.dir, 'no-such-nmcli'), ifname: 'wlan0', connectionsDir: connections, timeoutMs: 1000 });
  await assert.rejects(none.scan(false), (e: NmError) => e.kind === 'no-nmcli' && /not installed/.test(e.message));
});
