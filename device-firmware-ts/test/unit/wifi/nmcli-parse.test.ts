import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScan, SCAN_FIELDS } from '../../../src/hal/nm/wifi-scan.js';
import { parseProfiles } from '../../../src/hal/nm/wifi-profiles.js';
import { splitTerse, terseRecords } from '../../../src/hal/nm/terse.js';
import { nmErrorFor } from '../../../src/hal/nm/nmcli-error.js';
import { recording, recordedStderr, recordedStdout } from '../../helpers/nmcli-recordings.js';

test('the recorded scan (SSID-HEX) parses losslessly: colons, backslashes, edge spaces, newline, non-UTF-8, NUL, hidden, 32 bytes', () => {
  assert.deepEqual(recording(9).argv.slice(3, 4)[0], SCAN_FIELDS.join(','));
  const nets = parseScan(recordedStdout(9));
  const byHex = new Map(nets.map((n) => [`${n.ssidHex}/${n.bssid}`, n]));
  const get = (hex: string) => nets.find((n) => n.ssidHex === hex)!;
  assert.equal(get('436166653A20467265652057694669').ssid, 'Cafe: Free WiFi');
  assert.deepEqual(get('436166653A20467265652057694669').security, []);
  assert.equal(get('436166653A20467265652057694669').bssid, '02:00:00:00:00:01');
  assert.equal(get('6261636B5C736C617368').ssid, 'back\\slash');
  assert.equal(get('20207370616365732020').ssid, '  spaces  ');
  assert.equal(get('20207370616365732020').band, '5 GHz');
  assert.equal(get('20207370616365732020').channel, 149);
  // A raw newline split the SSID column over two lines; the record is still whole.
  assert.equal(get('6C696E65310A6C696E6532').ssid, null, 'a name with a newline is shown by its hex');
  assert.equal(get('6C696E65310A6C696E6532').signal, 50);
  assert.equal(get('436166E9').ssid, null, 'Latin-1 bytes are not UTF-8: the hex is the name');
  assert.equal(get('436166C3A920E29895').ssid, 'Café ☕');
  assert.equal(get('616200FF').ssid, null, 'NUL and 0xFF survive in the hex');
  assert.equal(get('7878787878787878787878787878787878787878787878787878787878787878').ssid, 'x'.repeat(32));
  assert.deepEqual(get('7878787878787878787878787878787878787878787878787878787878787878').security, ['WPA2', 'WPA3']);
  const hidden = nets.find((n) => n.hidden)!;
  assert.equal(hidden.ssidHex, '');
  assert.equal(hidden.ssid, null);
  const home = nets.filter((n) => n.ssid === 'HomeNet');
  assert.deepEqual(home.map((n) => [n.band, n.freqMhz]), [['2.4 GHz', 2462], ['5 GHz', 5180]]);
  assert.equal(byHex.size, nets.length);
  assert.equal(nets.length, recordedStdout(9).split('\n').filter((l) => l !== '').length - 1, 'every record, one of them over two lines');
});

test('terse splitting unescapes \\: and \\\\ and never trims', () => {
  assert.deepEqual(splitTerse('Cafe\\: Free WiFi:02\\:00:  x  :back\\\\slash'), ['Cafe: Free WiFi', '02:00', '  x  ', 'back\\slash']);
  assert.deepEqual(terseRecords('a\nb:c\n\nd:e\n', 2), [['a\nb', 'c'], ['d', 'e']]);
});

test('the recorded profile list parses names with : and \\ and the priority', () => {
  const profiles = parseProfiles(recordedStdout(32));
  assert.deepEqual(
    profiles.map((p) => [p.name, p.priority, p.kind]),
    [['Home\\Net', 10, 'other'], ['Cafe: Free WiFi', 0, 'other'], ['Quoted', 0, 'other']],
  );
});

test('every nmcli exit code 1..10 gets its own clear sentence; recorded stderr picks the finer cause', () => {
  const kinds = new Set<string>();
  for (let code = 1; code <= 10; code++) {
    const e = nmErrorFor(code, '', 'connecting');
    assert.match(e.message, /^connecting: \w/);
    assert.equal(e.exitCode, code);
    kinds.add(e.kind);
  }
  assert.equal(kinds.size, 10, 'ten codes, ten kinds');
  const cases: [number, string, RegExp][] = [
    [56, 'not-running', /NetworkManager is not running/],
    [17, 'no-device', /no such Wi-Fi device/],
    [18, 'no-device', /no such Wi-Fi device/],
    [49, 'no-network', /no network with that name/],
    [51, 'not-found', /no such network, saved network/],
    [52, 'not-found', /no such network/],
    [50, 'activation-failed', /could not be brought up/],
    [24, 'bad-input', /out of range \[-999, 999\]/],
    [39, 'bad-input', /invalid passwd-file/],
    [42, 'failed', /refused the request/],
  ];
  for (const [n, kind, re] of cases) {
    const r = recording(n);
    const e = nmErrorFor(r.returncode, recordedStderr(n), 'doing it');
    assert.equal(e.kind, kind, `recording #${n} (${r.note})`);
    assert.match(e.message, re, `recording #${n}`);
    assert.ok(!e.message.includes('Hint:'), 'hint lines are dropped');
  }
  assert.equal(nmErrorFor(1, 'Error: Could not create NMClient object: Could not connect: No such file or directory.\n', 'x').kind, 'not-running');
});
