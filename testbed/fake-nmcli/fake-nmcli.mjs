// A stand-in for nmcli (NetworkManager 1.42) on machines without NetworkManager or a radio.
// It answers with nmcli output recorded from a real nmcli (testdata/nmcli/generated.json, see
// its ORIGIN.md): the scan list is replayed byte for byte; the profile list, activation and
// deletion messages are printed in the recorded formats from a state kept in FAKE_NMCLI_DIR
// (profiles come in only through `connection load` of a keyfile, as on a unit). Every call's argv
// and locale are appended to FAKE_NMCLI_DIR/argv.jsonl.
//
// FAKE_NMCLI_DIR/scenario (one word, re-read on every call) makes it fail like nmcli does:
//   ok | not-running | no-dbus | radio-off | activation-fails | rc:N (N = 1..10) | delay:MS
import { appendFileSync, readFileSync, writeFileSync, statSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const recorded = JSON.parse(readFileSync(join(here, '../../testdata/nmcli/generated.json'), 'utf8'));
const rec = (n) => recorded.find((r) => r.n === n);
const bytes = (r, which) => Buffer.from(r[`${which}_b64`], 'base64');

const dir = process.env.FAKE_NMCLI_DIR || join(tmpdir(), 'pitwall-fake-nmcli');
mkdirSync(dir, { recursive: true });
const argv = process.argv.slice(2);
appendFileSync(join(dir, 'argv.jsonl'), `${JSON.stringify({ argv, lcAll: process.env.LC_ALL ?? null, pid: process.pid })}\n`);
const statePath = join(dir, 'state.json');
const state = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : { profiles: [], active: null };
const save = () => writeFileSync(statePath, JSON.stringify(state));
const scenario = existsSync(join(dir, 'scenario')) ? readFileSync(join(dir, 'scenario'), 'utf8').trim() : 'ok';

const finish = (code, stdout = '', stderr = '') => {
  if (stdout) process.stdout.write(stdout);
  if (stderr) process.stderr.write(stderr);
  process.exitCode = code;
};
const replay = (n) => finish(rec(n).returncode, bytes(rec(n), 'stdout'), bytes(rec(n), 'stderr'));
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const esc = (s) => s.replace(/\\/g, '\\\\').replace(/:/g, '\\:');

// Messages for the codes no recording holds (3, 5, 6, 7, 9), worded as nmcli's source words them.
const ERRORS = {
  1: bytes(rec(42), 'stderr').toString(),
  2: bytes(rec(55), 'stderr').toString(),
  3: 'Error: Timeout expired (90 seconds).\n',
  4: bytes(rec(50), 'stderr').toString(),
  5: "Error: Connection deactivation failed: Unknown reason.\n",
  6: "Error: Device 'wlan0' (/org/freedesktop/NetworkManager/Devices/2) disconnecting failed: This device is not active\n",
  7: 'Error: Connection deletion failed: Unknown reason\n',
  8: bytes(rec(56), 'stderr').toString(),
  9: 'Error: nmcli (1.42.4) and NetworkManager (1.40.0) versions do not match.\n',
  10: bytes(rec(52), 'stderr').toString(),
};

function unescapeKeyfile(v) {
  return v.replace(/\\(.)/g, (_, c) => ({ s: ' ', n: '\n', t: '\t', '\\': '\\' })[c] ?? c);
}

function readKeyfile(path) {
  const st = statSync(path);
  const groups = {};
  let g = null;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\[(.+)\]$/.exec(line);
    if (m) groups[(g = m[1])] = {};
    else if (g && line.includes('=')) groups[g][line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  const c = groups.connection ?? {};
  return {
    name: unescapeKeyfile(c.id ?? ''),
    uuid: c.uuid,
    priority: Number(c['autoconnect-priority'] ?? 0),
    autoconnect: c.autoconnect !== 'false',
    ssidHex: Buffer.from((groups.wifi?.ssid ?? '').split(';').filter(Boolean).map(Number)).toString('hex').toUpperCase(),
    mode: groups.wifi?.mode ?? 'infrastructure',
    powersave: groups.wifi?.powersave ?? null,
    fileMode: (st.mode & 0o777).toString(8),
    file: path,
  };
}

function find(args) {
  const i = args.indexOf('uuid');
  const key = i >= 0 ? args[i + 1] : args[0];
  return state.profiles.find((p) => p.uuid === key || (i < 0 && p.name === key));
}

function scanList() {
  // The recorded list (#9); the active profile's network is marked in use, as NetworkManager does.
  const text = bytes(rec(9), 'stdout').toString('utf8');
  const active = state.profiles.find((p) => p.uuid === state.active);
  if (!active) return text;
  return text.replace(new RegExp(`^(.*?:${active.ssidHex}:(?:[^:\\\\]|\\\\.)*:) :`, 'm'), '$1*:');
}

function main() {
  if (scenario.startsWith('delay:')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(scenario.slice(6)));
  if (scenario === 'not-running') return replay(56);
  if (scenario === 'no-dbus') return finish(1, '', 'Error: Could not create NMClient object: Could not connect: No such file or directory.\n');
  if (scenario.startsWith('rc:')) return finish(Number(scenario.slice(3)), '', ERRORS[Number(scenario.slice(3))] ?? '');
  const a = argv;
  if (same(a, rec(1).argv.slice(1))) {
    const line = bytes(rec(1), 'stdout').toString();
    return finish(0, scenario === 'radio-off' ? line.replace(/enabled\n$/, 'disabled\n') : line);
  }
  if (a[0] === 'device' && a[1] === 'wifi' && a[2] === 'rescan') {
    return scenario === 'radio-off' ? finish(1, '', 'Error: Scanning not allowed while unavailable.\n') : replay(6);
  }
  if (same(a, rec(9).argv.slice(1))) return finish(0, scenario === 'radio-off' ? '' : scanList());
  if (a[0] === '-t' && a[2] === 'DEVICE,TYPE,STATE,CONNECTION' && a[3] === 'device') {
    const active = state.profiles.find((p) => p.uuid === state.active);
    return finish(0, active ? `wlan0:wifi:connected:${esc(active.name)}\neth0:ethernet:unavailable:\n` : bytes(rec(4), 'stdout'));
  }
  if (a[0] === '-g' && a[1] === 'IP4.ADDRESS' && a[2] === 'device') {
    const active = state.profiles.find((p) => p.uuid === state.active);
    return finish(0, active ? (active.mode === 'ap' ? '10.42.0.1/24\n' : '192.168.1.20/24\n') : '\n');
  }
  if (a[0] === '-t' && a[2] === 'NAME,UUID,TYPE,DEVICE,AUTOCONNECT,AUTOCONNECT-PRIORITY,ACTIVE,STATE' && a[3] === 'connection' && a[4] === 'show') {
    const rows = state.profiles.map((p) => {
      const on = p.uuid === state.active;
      return `${esc(p.name)}:${p.uuid}:802-11-wireless:${on ? 'wlan0' : ''}:${p.autoconnect ? 'yes' : 'no'}:${p.priority}:${on ? 'yes' : 'no'}:${on ? 'activated' : ''}\n`;
    });
    return finish(0, rows.join(''));
  }
  if (a[0] === 'connection' && a[1] === 'load' && a.length === 3) {
    if (!existsSync(a[2])) return finish(1, '', `Error: failed to load connection: ${a[2]}: No such file or directory.\n`);
    const p = readKeyfile(a[2]);
    state.profiles = state.profiles.filter((x) => x.uuid !== p.uuid).concat(p);
    save();
    return finish(0);
  }
  if (a[0] === 'connection' && a[1] === 'modify') {
    const p = find(a.slice(2));
    if (!p) return finish(10, '', `Error: unknown connection '${a[3]}'.\n`);
    const i = a.indexOf('connection.autoconnect-priority');
    if (i >= 0) {
      const n = Number(a[i + 1]);
      if (!Number.isInteger(n) || n < -999 || n > 999) return finish(2, '', `Error: failed to modify connection.autoconnect-priority: '${a[i + 1]}' is out of range [-999, 999].\n`);
      p.priority = n;
    }
    const s = a.indexOf('802-11-wireless.powersave');
    if (s >= 0) p.powersave = a[s + 1];
    save();
    return replay(23);
  }
  if (a[0] === 'connection' && a[1] === 'delete') {
    const p = find(a.slice(2));
    if (!p) return finish(10, '', `Error: unknown connection '${a[3]}'.\nError: cannot delete unknown connection(s): '${a[3]}'.\n`);
    state.profiles = state.profiles.filter((x) => x !== p);
    // NetworkManager deletes a keyfile profile's file with it.
    rmSync(p.file, { force: true });
    if (state.active === p.uuid) state.active = null;
    save();
    return finish(0, `Connection '${p.name}' (${p.uuid}) successfully deleted.\n`);
  }
  if (a[0] === 'connection' && a[1] === 'up') {
    const p = find(a.slice(2));
    if (!p) return finish(10, '', `Error: unknown connection '${a[3]}'.\n`);
    if (scenario === 'activation-fails') return finish(4, '', ERRORS[4].replace('c6c75fa1-6829-44bc-b816-60f4a2ec08b4', p.uuid));
    state.active = p.uuid;
    save();
    return replay(34);
  }
  if (a[0] === 'connection' && a[1] === 'down') {
    const p = find(a.slice(2));
    if (!p || state.active !== p.uuid) return finish(10, '', `Error: '${a[3]}' is not an active connection.\nError: no active connection provided.\n`);
    state.active = null;
    save();
    return finish(0, `Connection '${p.name}' successfully deactivated (D-Bus active path: /org/freedesktop/NetworkManager/ActiveConnection/1)\n`);
  }
  return finish(2, '', `Error: argument '${a[0] ?? ''}' not understood. Try passing --help instead.\n`);
}

main();
