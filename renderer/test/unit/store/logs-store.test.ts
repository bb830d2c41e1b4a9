import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { LogDetail, LogRow } from '@pitwall/protocol';
import { fail, installBridge, ok, settle, type FakeBridge } from '../../helpers/fake-bridge.js';
import { useLogs } from '../../../src/store/logs-store.js';
import { useDiagnostics } from '../../../src/store/diagnostics-store.js';

let bridge: FakeBridge;
const initial = useLogs.getState();
const initialDiag = useDiagnostics.getState();
beforeEach(() => {
  bridge = installBridge();
  useLogs.setState(initial, true);
  useDiagnostics.setState(initialDiag, true);
});
const rows = (...ids: number[]) => ids.map((id) => ({ id }) as unknown as LogRow);
const page = (ids: number[], next: number | null) => ok({ rows: rows(...ids), next, total: 1000, capped: false });

test('filters become the query: empty ones left out, text trimmed, local times sent as UTC', async () => {
  bridge.handle('logs:query', () => page([], null));
  useLogs.getState().setFilter('unitId', 'u1');
  useLogs.getState().setFilter('level', 'warn');
  useLogs.getState().setFilter('text', '  gnss lost ');
  useLogs.getState().setFilter('from', '2026-05-01T10:00');
  await settle();
  const last = bridge.made('logs:query').at(-1)!.params;
  assert.deepEqual(last, { limit: 300, unitId: 'u1', level: 'warn', text: 'gnss lost', from: new Date('2026-05-01T10:00').toISOString() });
  const asked = bridge.made('logs:query').length;
  useLogs.getState().setFilter('level', 'warn');
  assert.equal(bridge.made('logs:query').length, asked, 'an unchanged filter asks nothing');
});

test('a newer query wins over an older one that answers later', async () => {
  const older = useLogs.getState().query();
  const newer = useLogs.getState().query();
  const [a, b] = bridge.made('logs:query');
  b!.answer(page([2], null));
  a!.answer(page([1], null));
  await Promise.all([older, newer]);
  assert.deepEqual(useLogs.getState().rows, rows(2));
});

test('more: the page before the cursor of the last one is appended; not two at once; nothing after the end', async () => {
  bridge.handle('logs:query', ({ before }) => (before ? page([3, 4], null) : page([1, 2], 3)));
  await useLogs.getState().query();
  await Promise.all([useLogs.getState().more(), useLogs.getState().more()]);
  assert.equal(bridge.made('logs:query').length, 2);
  assert.equal(bridge.made('logs:query')[1]!.params.before, 3);
  assert.deepEqual(useLogs.getState().rows, rows(1, 2, 3, 4));
  await useLogs.getState().more();
  assert.equal(bridge.made('logs:query').length, 2);
});

test('a page from before a new query is dropped', async () => {
  bridge.handle('logs:query', () => page([1], 2));
  await useLogs.getState().query();
  bridge.hold('logs:query');
  const more = useLogs.getState().more();
  const asked = bridge.waiting('logs:query');
  bridge.handle('logs:query', () => page([9], null));
  await useLogs.getState().query();
  asked.answer(page([2], null));
  await more;
  assert.deepEqual(useLogs.getState().rows, rows(9));
});

test('a failed query is the error and keeps the rows shown', async () => {
  bridge.handle('logs:query', () => page([1], null));
  await useLogs.getState().query();
  bridge.handle('logs:query', () => fail('invalid-params', 'Bad search text.'));
  await useLogs.getState().query();
  assert.equal(useLogs.getState().error?.message, 'Bad search text.');
  assert.deepEqual(useLogs.getState().rows, rows(1));
});

test('opening a record loads its detail; the answer for a record no longer open is dropped; null closes', async () => {
  const one = useLogs.getState().select(1);
  const two = useLogs.getState().select(2);
  const [forOne, forTwo] = bridge.made('logs:record');
  assert.deepEqual(forOne!.params, { id: 1 });
  forTwo!.answer(ok({ unitName: 'two' } as unknown as LogDetail));
  forOne!.answer(ok({ unitName: 'one' } as unknown as LogDetail));
  await Promise.all([one, two]);
  assert.equal(useLogs.getState().detail?.unitName, 'two');
  bridge.handle('logs:record', () => fail('not-found'));
  await useLogs.getState().select(3);
  assert.equal(useLogs.getState().detail, null);
  assert.equal(useLogs.getState().detailError?.code, 'not-found');
  await useLogs.getState().select(null);
  assert.deepEqual([useLogs.getState().selected, useLogs.getState().detail, useLogs.getState().detailError], [null, null, null]);
  assert.equal(bridge.made('logs:record').length, 3);
});

test('tail: needs a unit filter; starts and stops on the chosen unit; a refusal is the tail error', async () => {
  await useLogs.getState().toggleTail();
  assert.equal(bridge.made('logs:tail').length, 0);
  bridge.handle('logs:query', () => page([], null)).handle('logs:tail', () => ok({}));
  useLogs.getState().setFilter('unitId', 'u1');
  await useLogs.getState().toggleTail();
  assert.equal(useDiagnostics.getState().tail?.unitId, 'u1');
  await useLogs.getState().toggleTail();
  assert.equal(useDiagnostics.getState().tail, null);
  assert.deepEqual(bridge.made('logs:tail').map((c) => c.params), [{ id: 'u1', on: true }, { id: 'u1', on: false }]);
  bridge.handle('logs:tail', () => fail('not-paired'));
  await useLogs.getState().toggleTail();
  assert.equal(useLogs.getState().tailError?.code, 'not-paired');
});
