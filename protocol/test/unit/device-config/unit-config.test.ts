import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { parseUnitConfig, UnitConfig, UnitConfigError, UNIT_CONFIG_DEFAULTS } from '../../../src/index.js';
import { seededRandom } from '../../seeded-random.js';

const FIELDS = ['dataDir', 'name', 'api', 'port', 'host', 'mdns', 'pairingWindowS', 'logs', 'dir', 'level', 'health', 'intervalS', 'diskLowMb', 'hangTimeoutS', 'imu', 'rateHz', 'sessions', 'auto', 'startKmh', 'startS', 'stopS', 'hardware', 'gnssPath', 'gnssBaud', 'usbGadgetPath', 'sim', 'recording', 'speed', 'serialLink', 'bogus', '__proto__', 'constructor'];

function randomValue(rand: () => number, depth: number): unknown {
  const pick = Math.floor(rand() * 9);
  if (pick === 0) return null;
  if (pick === 1) return rand() < 0.5;
  if (pick === 2) return Math.floor(rand() * 200_000) - 100;
  if (pick === 3) return rand() * 2000 - 10;
  if (pick === 4) return ['', ' ', 'debug', 'loud', '/tmp/x', 'x'.repeat(300), 'NaN', '1e400'][Math.floor(rand() * 8)];
  if (pick === 5) return [randomValue(rand, depth + 1)];
  if (depth > 3) return 'leaf';
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 4); i > 0; i--) o[FIELDS[Math.floor(rand() * FIELDS.length)]!] = randomValue(rand, depth + 1);
  return o;
}

test('fuzz: a configuration is either valid and complete, or refused with one sentence naming a field', () => {
  const rand = seededRandom(11);
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    // Half the cases start from the defaults and break one part, so deep fields are reached.
    const input = rand() < 0.5 ? randomValue(rand, 0) : { ...structuredClone(UNIT_CONFIG_DEFAULTS), ...(randomValue(rand, 1) as object) };
    const before = JSON.stringify(input);
    try {
      const config = parseUnitConfig(input);
      assert.ok(Value.Check(UnitConfig, config), `accepted but invalid: ${before}`);
      accepted++;
    } catch (err) {
      assert.ok(err instanceof UnitConfigError, `${before}: ${(err as Error).stack}`);
      assert.match(err.message, /^(unknown setting "[^"]+"|"[^"]+" must be .+, got .+|the unit configuration must be a JSON object)/, err.message);
      assert.ok(err.message.length < 400, 'one sentence, not a dump');
    }
    assert.equal(JSON.stringify(input), before, 'the input is not changed');
  }
  assert.ok(accepted > 100, `some random configurations are valid (${accepted})`);
});
