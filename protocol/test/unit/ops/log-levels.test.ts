import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOG_LEVEL_BY_NUMBER, LOG_LEVEL_NUMBER, LOG_LEVELS, isLogLevel, logLevelAtLeast } from '../../../src/ops/log-levels.js';
import { LogLevel } from '../../../src/ops/log-record.js';

test('one level table: ordered least severe first, numbers rising, the schema agrees', () => {
  const numbers = LOG_LEVELS.map((l) => LOG_LEVEL_NUMBER[l]);
  assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
  assert.deepEqual(LogLevel.anyOf.map((s) => s.const).sort(), [...LOG_LEVELS].sort());
  for (const l of LOG_LEVELS) assert.equal(LOG_LEVEL_BY_NUMBER[LOG_LEVEL_NUMBER[l]], l);
  assert.equal(LOG_LEVEL_BY_NUMBER[35], undefined);
  assert.ok(logLevelAtLeast('error', 'warn') && !logLevelAtLeast('debug', 'info') && logLevelAtLeast('info', 'info'));
  assert.ok(isLogLevel('fatal') && !isLogLevel('FATAL') && !isLogLevel(30));
});
