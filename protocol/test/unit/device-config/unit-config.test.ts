import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { parseUnitConfig, UnitConfig, UnitConfigError, UNIT_CONFIG_DEFAULTS } from '../../../src/index.js';
import { seededRandom } from '../../seeded-random.js';

const FIELDS = ['dataDir', 'name', 'api', 'port', 'host', 'mdns', 'pairingWindowS', 'logs', 'dir', 'level', 'health', 'intervalS', 'diskLowMb', 'hangTimeoutS', 'imu', 'rateHz', 'sessions', 'auto', 'startKmh', 'startS', 'stopS', 'hardware', 'gnssPath', 'gnssBaud', 'usbGadgetPath', 'gnssAutoBaud', 'ubloxRateHz', 'ubloxBaud', 'i2cBus', 'imuAddress', 'gpioChip', 'gpioDebounceMs', 'pairButtonLine', 'pairLedLine', 'sim', 'recording', 'speed', 'serialLink', 'bogus', '__proto__', 'constructor'];

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

test('real hardware settings: defaults for the reference board, and bad values refused naming the field', () => {
  const h = UNIT_CONFIG_DEFAULTS.hardware;
  assert.deepEqual(
    [h.gnssAutoBaud, h.ubloxRateHz, h.ubloxBaud, h.i2cBus, h.imuAddress, h.gpioChip, h.gpioDebounceMs, h.pairButtonLine, h.pairLedLine],
    [false, 10, 0, 1, 0x6a, 'gpiochip0', 30, 17, 5],
  );
  assert.equal(parseUnitConfig({ hardware: { gnssAutoBaud: true, ubloxRateHz: 25, ubloxBaud: 115200, imuAddress: 0x6b } }).hardware.imuAddress, 0x6b);
  const refused = (hardware: unknown, message: RegExp) => assert.throws(() => parseUnitConfig({ hardware }), (e: unknown) => e instanceof UnitConfigError && message.test(e.message));
  refused({ imuAddress: 0x68 }, /"hardware\.imuAddress" must be a whole number from 106 to 107, got 104/);
  refused({ ubloxRateHz: 50 }, /"hardware\.ubloxRateHz" must be a whole number from 0 to 25/);
  refused({ gpioChip: '../../dev/mem' }, /"hardware\.gpioChip" must be text matching/);
  refused({ pairButtonLine: -1 }, /pairButtonLine/);
  refused({ gnssAutoBaud: 'yes' }, /"hardware\.gnssAutoBaud" must be true or false/);
});
