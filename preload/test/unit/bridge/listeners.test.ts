import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { EVENT_NAMES, Listeners } from '../../../src/listeners.js';

test('listeners get their event only; unsubscribing stops them', () => {
  const l = new Listeners();
  const fixes: unknown[] = [];
  const laps: unknown[] = [];
  const off = l.add('live:fix', (p) => fixes.push(p));
  l.add('live:lap', (p) => laps.push(p));
  l.emit('live:fix', 1);
  off();
  l.emit('live:fix', 2);
  assert.deepEqual([fixes, laps], [[1], []]);
});

test('names outside the contract are refused on add and dropped on emit; a listener must be a function', () => {
  const l = new Listeners();
  assert.throws(() => l.add('__proto__' as 'live:fix', () => undefined), TypeError);
  assert.throws(() => l.add('live:fix', 'x' as unknown as () => void), TypeError);
  for (const e of [undefined, 42, 'constructor', 'toString']) assert.doesNotThrow(() => l.emit(e, {}));
  assert.ok(EVENT_NAMES.includes('devices:changed'));
});

test('one throwing listener does not starve the others', () => {
  const l = new Listeners();
  const error = mock.method(console, 'error', () => undefined);
  const got: unknown[] = [];
  l.add('logs:tail', () => {
    throw new Error('boom');
  });
  l.add('logs:tail', (p) => got.push(p));
  l.emit('logs:tail', 'row');
  assert.deepEqual(got, ['row']);
  assert.equal(error.mock.callCount(), 1);
  error.mock.restore();
});
