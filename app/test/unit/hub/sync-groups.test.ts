import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompanionError } from '@pitwall/protocol';
import { resolveSyncGroups, type SyncGroup } from '../../../src/hub/sync-groups.js';

const g = (n: number, name: string): SyncGroup => ({ groupId: String(n).repeat(32), name, role: 'driver' });
const mine = [g(1, 'Red'), g(2, 'red'), g(3, 'Class of May'), g(4, 'Bad\u0007\u001b[31mName')];
const refused = (words: string[], code: string, message: RegExp) =>
  assert.throws(() => resolveSyncGroups(words, mine), (e: unknown) => e instanceof CompanionError && e.code === code && message.test(e.message));

test('--group words: ids as they are, names exact before ignoring case, each group once', () => {
  assert.deepEqual(resolveSyncGroups(['red'], mine), [mine[1]], 'the exact name wins over the one differing in case');
  assert.deepEqual(resolveSyncGroups(['class of may', 'Class of May', '3'.repeat(32)], mine), [mine[2]]);
  assert.deepEqual(resolveSyncGroups(['f'.repeat(32)], mine), [{ groupId: 'f'.repeat(32), name: null, role: null }], 'an id not listed: the hub decides');
  assert.deepEqual(resolveSyncGroups([], mine), []);
});

test('an unknown or ambiguous name is refused with the groups named, control characters never echoed', () => {
  refused(['RED'], 'conflict', /^2 of your groups are named "RED": give the one you mean by id \("Red" \(1{32}\), "red" \(2{32}\)\)$/);
  refused(['Blue\u001b[2J'], 'invalid-params', /^no group of yours is named "Blue \[2J" \(your groups: .*"Bad {2}\[31mName" \(4{32}\)\)$/);
  assert.throws(() => resolveSyncGroups(['Red'], []), /no group of yours is named "Red" \(you are in no group on this hub\)/);
  // eslint-disable-next-line no-control-regex -- what must not be echoed
  for (const bad of ['Blue\u001b[2J', 'RED']) assert.throws(() => resolveSyncGroups([bad], mine), (e: unknown) => e instanceof CompanionError && !/[\u0000-\u001f]/.test(e.message));
});
