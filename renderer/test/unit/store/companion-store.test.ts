import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { fail, installBridge, ok, type FakeBridge } from '../../helpers/fake-bridge.js';
import { useCompanion } from '../../../src/store/companion-store.js';
import { call } from '../../../src/api.js';

let bridge: FakeBridge;
const initial = useCompanion.getState();
beforeEach(() => {
  bridge = installBridge();
  useCompanion.setState(initial, true);
});

test('app info is kept; a failure leaves it unknown', async () => {
  bridge.handle('app:info', () => fail('internal'));
  await useCompanion.getState().loadInfo();
  assert.equal(useCompanion.getState().info, null);
  bridge.handle('app:info', () => ok({ version: '1.2.3', mode: 'browser' as const }));
  await useCompanion.getState().loadInfo();
  assert.deepEqual(useCompanion.getState().info, { version: '1.2.3', mode: 'browser' });
});

test('the operator key is asked once however many views want it; a failure lets the next one ask again', async () => {
  const a = useCompanion.getState().loadOperatorKey();
  const b = useCompanion.getState().loadOperatorKey();
  assert.equal(bridge.made('operator:identity').length, 1);
  bridge.waiting('operator:identity').answer(fail('storage'));
  await Promise.all([a, b]);
  assert.equal(useCompanion.getState().operatorKey, null);
  bridge.handle('operator:identity', () => ok({ fingerprint: 'SHA256:me', name: 'laptop', storage: 'file' as const }));
  await useCompanion.getState().loadOperatorKey();
  await useCompanion.getState().loadOperatorKey();
  assert.equal(useCompanion.getState().operatorKey, 'SHA256:me');
  assert.equal(bridge.made('operator:identity').length, 2);
});

test('without window.pitwall a call is an internal error that says the page is outside the companion', async () => {
  (globalThis as { window?: unknown }).window = {};
  const res = await call('app:info', {});
  assert.equal(res.ok, false);
  assert.match(!res.ok ? res.error.message : '', /window\.pitwall is missing/);
});
