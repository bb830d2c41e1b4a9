import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../../src/store/database.js';
import { HubState } from '../../../src/hub/hub-state.js';

const link = (url: string) => ({ url, publicKey: 'AAAA', fingerprint: `SHA256:${'a'.repeat(43)}`, pinnedAt: 1 });
const g = (id: string, name: string, role: 'coach' | 'driver' | 'analyst' = 'driver') => ({ groupId: id.repeat(32), name, role });

test('the hub state: groups follow the hub with choices kept, the queue until shared, a new hub or forget starts afresh', () => {
  const db = openDatabase(null);
  const s = new HubState(db);
  s.write('hubState.setLink', link('https://hub.one'));
  s.write('hubState.setGroups', [g('a', 'Team Red'), g('b', 'Class of May', 'analyst')]);
  assert.deepEqual(s.groups().map((x) => [x.name, x.chosen]), [['Class of May', true], ['Team Red', true]], 'all chosen the first time');
  s.write('hubState.choose', ['a'.repeat(32)]);
  s.write('hubState.setGroups', [g('a', 'Team Red (2026)', 'coach'), g('c', 'Juniors')]);
  assert.deepEqual(s.groups().map((x) => [x.name, x.role, x.chosen]), [['Juniors', 'driver', false], ['Team Red (2026)', 'coach', true]], 'renamed, role changed, left group gone, new one not chosen');

  s.write('hubState.enqueue', [3, 4], ['a'.repeat(32)], 10);
  s.write('hubState.queueError', 4, 'The hub refused (x): y');
  s.write('hubState.shared', 3, ['a'.repeat(32)], 20);
  assert.deepEqual(s.queue((n) => `session ${n}`).map((q) => [q.session, q.error]), [[4, 'The hub refused (x): y']]);
  assert.deepEqual(s.shared(), [{ session: 3, groups: ['a'.repeat(32)], sharedAt: 20 }]);
  s.write('hubState.enqueue', [4], ['c'.repeat(32)], 30);
  assert.deepEqual(s.queue(String).map((q) => [q.groups, q.error]), [[['c'.repeat(32)], null]], 'queued again: new groups, error cleared');

  s.write('hubState.patchLink', { problem: 'down', offline: true, presentedKey: `SHA256:${'b'.repeat(43)}`, registry: { error: 'no' } });
  assert.equal(s.link()?.offline, true);
  assert.equal(s.link()?.registry.error, 'no');
  s.write('hubState.setLink', link('https://hub.one'));
  assert.equal(s.queue(String).length, 1, 'the same hub again keeps everything');
  s.write('hubState.setLink', link('https://hub.two'));
  assert.deepEqual([s.groups(), s.queue(String), s.shared(), s.link()?.problem], [[], [], [], null], 'another hub starts afresh');
  s.write('hubState.setLink', null);
  assert.equal(s.link(), null);
  db.close();
});
