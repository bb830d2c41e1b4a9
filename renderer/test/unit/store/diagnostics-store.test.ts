import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { LogRow } from '@pitwall/protocol';
import { fail, installBridge, ok, type FakeBridge } from '../../helpers/fake-bridge.js';
import { MAX_TAIL_ROWS, useDiagnostics } from '../../../src/store/diagnostics-store.js';

let bridge: FakeBridge;
const initial = useDiagnostics.getState();
beforeEach(() => {
  bridge = installBridge();
  useDiagnostics.setState(initial, true);
});

test('a pull: one at a time, then the generation moves on whether it worked or not', async () => {
  const pulling = useDiagnostics.getState().sync(['u1']);
  await useDiagnostics.getState().sync();
  assert.equal(bridge.made('sync:diagnostics').length, 1);
  assert.deepEqual(bridge.made('sync:diagnostics')[0]!.params, { ids: ['u1'] });
  bridge.waiting('sync:diagnostics').answer(fail('unreachable'));
  await pulling;
  assert.deepEqual([useDiagnostics.getState().syncing, useDiagnostics.getState().syncError?.code, useDiagnostics.getState().generation], [false, 'unreachable', 1]);
});

test('export: busy while written, then where it went; a failure is kept for that unit only', async () => {
  const writing = useDiagnostics.getState().exportArchive('u1');
  assert.equal(useDiagnostics.getState().exports.u1?.busy, true);
  await useDiagnostics.getState().exportArchive('u1');
  assert.equal(bridge.made('diagnostics:export').length, 1, 'no second export while one is written');
  bridge.waiting('diagnostics:export').answer(ok({ path: 'u1.tar.gz', bytes: 2048, auditLog: 'included', auditRotatedAway: 0 } as never));
  await writing;
  assert.deepEqual(useDiagnostics.getState().exports.u1, { busy: false, result: { path: 'u1.tar.gz', bytes: 2048, auditLog: 'included', auditRotatedAway: 0 }, error: null });
  bridge.handle('diagnostics:export', () => fail('not-paired'));
  await useDiagnostics.getState().exportArchive('u2');
  assert.equal(useDiagnostics.getState().exports.u2?.error?.code, 'not-paired');
  assert.equal(useDiagnostics.getState().exports.u1?.result?.path, 'u1.tar.gz');
});

test('tail rows: newest first, only for the unit tailed, at most MAX_TAIL_ROWS', async () => {
  bridge.handle('logs:tail', () => ok({}));
  await useDiagnostics.getState().startTail('u1');
  const r = (n: number) => ({ id: n }) as unknown as LogRow;
  useDiagnostics.getState().pushTail('u2', [r(0)]);
  useDiagnostics.getState().pushTail('u1', [r(1), r(2)]);
  assert.deepEqual(useDiagnostics.getState().tail?.rows, [r(2), r(1)]);
  useDiagnostics.getState().pushTail('u1', Array.from({ length: MAX_TAIL_ROWS }, (_, i) => r(i + 3)));
  assert.equal(useDiagnostics.getState().tail?.rows.length, MAX_TAIL_ROWS);
  assert.deepEqual(useDiagnostics.getState().tail?.rows[0], r(MAX_TAIL_ROWS + 2));
  await useDiagnostics.getState().startTail('u3');
  assert.deepEqual(bridge.made('logs:tail').map((c) => c.params), [{ id: 'u1', on: true }, { id: 'u1', on: false }, { id: 'u3', on: true }]);
});
