import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { fail, installBridge, ok, settle, type FakeBridge } from '../../helpers/fake-bridge.js';
import { device, fix } from '../../helpers/fixtures.js';
import { MAX_FIXES, STATUS_POLL_MS, useDevices } from '../../../src/store/devices-store.js';

let bridge: FakeBridge;
const initial = useDevices.getState();
beforeEach(() => {
  bridge = installBridge();
  useDevices.setState(initial, true);
});
afterEach(() => mock.timers.reset());

test('load: loading, then the list with online units first and by name; a failure is the error phase', async () => {
  const loading = useDevices.getState().load();
  assert.equal(useDevices.getState().phase, 'loading');
  bridge.waiting('devices:list').answer(ok([device('c', 'Zed'), device('b', 'Bay 2', false), device('a', 'Alpha')]));
  await loading;
  assert.equal(useDevices.getState().phase, 'ready');
  assert.deepEqual(useDevices.getState().devices.map((d) => d.id), ['a', 'c', 'b']);
  bridge.handle('devices:list', () => fail('internal'));
  useDevices.setState({ phase: 'error' });
  await useDevices.getState().load();
  assert.equal(useDevices.getState().phase, 'error');
  assert.equal(useDevices.getState().loadError?.code, 'internal');
});

test('a reload of a ready list does not flash "loading"', async () => {
  useDevices.getState().setDevices([device('a', 'A')]);
  const p = useDevices.getState().load();
  assert.equal(useDevices.getState().phase, 'ready');
  bridge.waiting('devices:list').answer(ok([device('a', 'A')]));
  await p;
});

test('the selection survives a new list only while its unit is still in it', () => {
  useDevices.getState().setDevices([device('a', 'A'), device('b', 'B')]);
  useDevices.getState().select('b');
  useDevices.getState().setDevices([device('b', 'B')]);
  assert.equal(useDevices.getState().selectedId, 'b');
  useDevices.getState().setDevices([device('a', 'A')]);
  assert.equal(useDevices.getState().selectedId, null);
});

test('live fixes: batches append in order and keep the newest MAX_FIXES with their receive times', () => {
  const many = Array.from({ length: MAX_FIXES + 10 }, (_, i) => fix(i));
  useDevices.getState().pushFixes('a', many.slice(0, 20), many.slice(0, 20).map((f) => f.lat));
  useDevices.getState().pushFixes('a', many.slice(20), many.slice(20).map((f) => f.lat));
  const live = useDevices.getState().live.a!;
  assert.equal(live.fixes.length, MAX_FIXES);
  assert.equal(live.fixes[0]!.lat, 10);
  assert.deepEqual(live.receivedAt.slice(-2), [MAX_FIXES + 8, MAX_FIXES + 9]);
  useDevices.getState().pushFixes('a', [], []);
  assert.equal(useDevices.getState().live.a, live, 'an empty batch changes nothing');
});

test('add by address selects the new unit; a refusal changes nothing', async () => {
  useDevices.getState().setDevices([device('a', 'A')]);
  bridge.handle('devices:add-address', () => fail('bad-address', 'Not an address.'));
  const bad = await useDevices.getState().addAddress('nonsense');
  assert.deepEqual(bad, { ok: false, error: { code: 'bad-address', message: 'Not an address.' } });
  assert.deepEqual(useDevices.getState().devices.map((d) => d.id), ['a']);
  bridge.handle('devices:add-address', ({ address }) => ok(device('n', address)));
  const good = await useDevices.getState().addAddress('10.0.0.9:8443');
  assert.equal(good.ok, true);
  assert.deepEqual(bridge.made('devices:add-address').map((c) => c.params), [{ address: 'nonsense' }, { address: '10.0.0.9:8443' }]);
  assert.equal(useDevices.getState().selectedId, 'n');
});

test('forget drops the unit and its live data only once the companion agreed', async () => {
  useDevices.getState().setDevices([device('a', 'A')]);
  useDevices.getState().pushFix('a', fix(1), 1);
  bridge.handle('devices:forget', () => fail('storage'));
  assert.equal((await useDevices.getState().forget('a'))?.code, 'storage');
  assert.equal(useDevices.getState().devices.length, 1);
  bridge.handle('devices:forget', () => ok({}));
  assert.equal(await useDevices.getState().forget('a'), null);
  assert.deepEqual(useDevices.getState().devices, []);
  assert.equal(useDevices.getState().live.a, undefined);
});

test('watch: live:watch, a status poll every STATUS_POLL_MS, errors kept beside the last good status; stop unwatches and drops late answers', async () => {
  mock.timers.enable({ apis: ['setInterval'] });
  const stop = useDevices.getState().watch('a');
  assert.deepEqual(bridge.made('live:watch').map((c) => c.params), [{ id: 'a' }]);
  bridge.waiting('devices:status').answer(ok({ uptimeS: 5 } as never));
  await settle();
  assert.deepEqual(useDevices.getState().live.a?.status, { uptimeS: 5 });
  mock.timers.tick(STATUS_POLL_MS);
  bridge.waiting('devices:status').answer(fail('unreachable'));
  await settle();
  assert.deepEqual(useDevices.getState().live.a?.status, { uptimeS: 5 }, 'the last status stays');
  assert.equal(useDevices.getState().live.a?.statusError?.code, 'unreachable');
  mock.timers.tick(STATUS_POLL_MS);
  stop();
  assert.deepEqual(bridge.made('live:unwatch').map((c) => c.params), [{ id: 'a' }]);
  bridge.waiting('devices:status').answer(ok({ uptimeS: 99 } as never));
  await settle();
  assert.deepEqual(useDevices.getState().live.a?.status, { uptimeS: 5 }, 'an answer after stop changes nothing');
  mock.timers.tick(STATUS_POLL_MS * 3);
  assert.equal(bridge.made('devices:status').length, 3, 'no poll after stop');
});
