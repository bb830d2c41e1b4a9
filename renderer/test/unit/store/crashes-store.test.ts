import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { CrashDetail, StoredCrash } from '@pitwall/protocol';
import { fail, installBridge, ok, settle, type FakeBridge } from '../../helpers/fake-bridge.js';
import { useCrashes } from '../../../src/store/crashes-store.js';
import { useDiagnostics } from '../../../src/store/diagnostics-store.js';

let bridge: FakeBridge;
const initial = useCrashes.getState();
beforeEach(() => {
  bridge = installBridge();
  useCrashes.setState(initial, true);
});
const crash = (crashId: string): StoredCrash => ({ unitId: 'u1', crashId }) as unknown as StoredCrash;
const detail = (crashId: string) => ({ crashId }) as unknown as CrashDetail;

test('load lists the dumps and opens the first, asking for it by unit and crash id', async () => {
  bridge.handle('crashes:list', () => ok([crash('c1'), crash('c2')])).handle('crashes:get', ({ crashId }) => ok(detail(crashId)));
  await useCrashes.getState().load();
  assert.deepEqual(bridge.made('crashes:get').map((c) => c.params), [{ unitId: 'u1', crashId: 'c1' }]);
  assert.deepEqual(useCrashes.getState().detail, detail('c1'));
});

test('the detail of a dump no longer selected never replaces the newer one', async () => {
  const one = useCrashes.getState().select(crash('c1'));
  const two = useCrashes.getState().select(crash('c2'));
  const [forOne, forTwo] = bridge.made('crashes:get');
  forTwo!.answer(ok(detail('c2')));
  forOne!.answer(ok(detail('c1')));
  await Promise.all([one, two]);
  assert.deepEqual(useCrashes.getState().detail, detail('c2'));
  assert.equal(useCrashes.getState().selected?.crashId, 'c2');
});

test('list and detail failures are the error; a diagnostics pull reloads a list already shown', async () => {
  bridge.handle('crashes:list', () => fail('internal'));
  await useCrashes.getState().load();
  assert.equal(useCrashes.getState().error?.code, 'internal');
  assert.equal(useCrashes.getState().crashes, null);
  bridge.handle('crashes:list', () => ok([crash('c1')])).handle('crashes:get', () => fail('not-found'));
  await useCrashes.getState().load();
  assert.equal(useCrashes.getState().error?.code, 'not-found');
  useDiagnostics.setState({ generation: useDiagnostics.getState().generation + 1 });
  await settle();
  assert.equal(bridge.made('crashes:list').length, 3);
});
