import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompanionError } from '@pitwall/protocol';
import { DEFAULT_DEVICE_API_PORT, parseAddress } from '../../../src/discovery/address-prober.js';

test('good addresses parse to a canonical target', () => {
  const cases: [string, string][] = [
    ['10.0.0.7', `10.0.0.7:${DEFAULT_DEVICE_API_PORT}`],
    ['10.0.0.7:9000', '10.0.0.7:9000'],
    ['  Kart-7.local:80 ', 'kart-7.local:80'],
    ['http://192.168.1.20:8080', '192.168.1.20:8080'],
    ['HTTP://unit.example:8080/', 'unit.example:8080'],
    ['[::1]:9000', '[::1]:9000'],
    ['[fd00::12]', `[fd00::12]:${DEFAULT_DEVICE_API_PORT}`],
    ['fd00::12', `[fd00::12]:${DEFAULT_DEVICE_API_PORT}`],
    ['http://[fd00::12]:81', '[fd00::12]:81'],
    ['https://unit:8080', 'unit:8080'],
    ['localhost', `localhost:${DEFAULT_DEVICE_API_PORT}`],
  ];
  for (const [input, target] of cases) assert.equal(parseAddress(input).target, target, input);
});

test('garbage of many shapes is bad-address with a message, never a raw throw', () => {
  const garbage: unknown[] = [
    '', '   ', ':', ':8080', 'host:', 'host:0', 'host:65536', 'host:12ab', 'host:-1', 'host:8080:9',
    '1.2.3', '256.1.1.1', '1.2.3.4.5', '999.999.999.999', '1.2.3.04', '-bad.example', 'bad-.example',
    'a..b', 'under_score.local', 'has space', 'tab\there', 'new\nline', 'nul\u0000', 'ünïcode.local',
    'ftp://unit', 'javascript:alert(1)', 'http://', 'http://unit:8080/v1/info',
    'http://user:pw@unit', 'unit/path', 'unit?x=1', 'unit#frag', '[::1', '[::1]x', '[nothex]:80', '[1.2.3.4]:80',
    '::1:80:zz', '%00', '../../etc/passwd', 'x'.repeat(300), `${'a'.repeat(64)}.local`, '\\\\server\\share',
    42, null, undefined, {},
  ];
  for (const input of garbage) {
    try {
      parseAddress(input);
      assert.fail(`accepted ${JSON.stringify(input)}`);
    } catch (err) {
      assert.ok(err instanceof CompanionError, `${JSON.stringify(input)}: ${String(err)}`);
      assert.equal(err.code, 'bad-address');
      assert.match(err.message, /is not a unit address: .+\. Use host/);
    }
  }
});
