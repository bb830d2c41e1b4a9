import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParameterError, parseChoice, parseNumber, parsePort } from '../../../src/parameters.js';
import { LOG_LEVELS } from '../../../src/ops/log-levels.js';
import { seededRandom } from '../../seeded-random.js';

test('ports: whole numbers 0-65535 only, the error names the flag and what it got', () => {
  assert.equal(parsePort('--port', '0'), 0);
  assert.equal(parsePort('--port', '65535'), 65535);
  for (const bad of ['65536', '-1', '1.5', '', ' 80', '0x50', '8e1', 'abc', '123456']) {
    assert.throws(() => parsePort('--api-port', bad), (e: Error) => e instanceof ParameterError && e.message === `--api-port must be a whole number from 0 to 65535, not ${JSON.stringify(bad)}.`);
  }
});

test('numbers: plain decimals inside the range; hex, exponents, blanks and Infinity refused', () => {
  const r = { min: 0, max: 600, aboveMin: true, unit: ' seconds' };
  assert.equal(parseNumber('--timeout', '0.5', r), 0.5);
  assert.equal(parseNumber('--timeout', '600', r), 600);
  for (const bad of ['0', '600.1', '', ' ', '1e2', '0x10', 'Infinity', 'NaN', '5 ', '-0.5', '.5']) {
    assert.throws(() => parseNumber('--timeout', bad, r), /^ParameterError: --timeout must be a number above 0 and at most 600 seconds, not ".*"\.$/);
  }
  assert.equal(parseNumber('--imu-rate', '100', { min: 1, max: 1000, integer: true }), 100);
  assert.throws(() => parseNumber('--imu-rate', '99.5', { min: 1, max: 1000, integer: true }), /must be a whole number from 1 to 1000/);
});

test('choices: exactly one of the list (case matters)', () => {
  assert.equal(parseChoice('--log-level', 'warn', LOG_LEVELS), 'warn');
  assert.throws(() => parseChoice('--log-level', 'WARN', LOG_LEVELS), /--log-level must be one of trace, debug, info, warn, error, fatal, not "WARN"\./);
});

test('seeded fuzz: any text gives a value in range or a ParameterError that shows at most 40 characters of it', () => {
  const rand = seededRandom(0xf1a9);
  const alphabet = [...'0123456789.-+eExX ,_abc\u0000\n"\\'];
  for (let i = 0; i < 5_000; i++) {
    let raw = '';
    for (let n = Math.floor(rand() * 60); n > 0; n--) raw += alphabet[Math.floor(rand() * alphabet.length)];
    for (const parse of [() => parsePort('--p', raw), () => parseNumber('--n', raw, { min: -5, max: 5 }), () => parseChoice('--c', raw, ['a', 'b'])]) {
      try {
        const v = parse();
        assert.ok(typeof v === 'string' || (Number.isFinite(v) && v >= -5 && v <= 65535), `${JSON.stringify(raw)} -> ${v}`);
      } catch (err) {
        assert.ok(err instanceof ParameterError, String(err));
        assert.ok(!err.message.includes(raw.slice(0, 41)) || raw.length <= 40, 'the input is cut to 40 characters');
      }
    }
  }
});
