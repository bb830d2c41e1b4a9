import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { FleetHealthRow, HealthSeries } from '@pitwall/protocol';
import { fail, installBridge, ok, settle, type FakeBridge } from '../../helpers/fake-bridge.js';
import { RANGES, useHealth } from '../../../src/store/health-store.js';
import { useDiagnostics } from '../../../src/store/diagnostics-store.js';

let bridge: FakeBridge;
const initial = useHealth.getState();
beforeEach(() => {
  bridge = installBridge();
  useHealth.setState(initial, true);
});
const row = (unitId: string) => ({ unitId }) as unknown as FleetHealthRow;
const series = (unitId: string) => ({ unitId, points: [] }) as unknown as HealthSeries;

test('load lists the fleet, opens the first unit and asks for its series over the chosen range', async () => {
  bridge.handle('health:fleet', () => ok([row('a'), row('b')])).handle('health:series', ({ id }) => ok(series(id)));
  const before = Date.now();
  await useHealth.getState().load();
  assert.equal(useHealth.getState().selected, 'a');
  assert.deepEqual(useHealth.getState().series, series('a'));
  const from = Date.parse(bridge.made('health:series')[0]!.params.from!);
  assert.ok(Math.abs(before - RANGES[3]!.ms - from) < 5_000, 'from = now minus the default range (7 d)');
});

test('only the newest question\'s series is shown, whatever order the answers come in', async () => {
  const a = useHealth.getState().select('a');
  const b = useHealth.getState().select('b');
  const [forA, forB] = bridge.made('health:series');
  forB!.answer(ok(series('b')));
  forA!.answer(ok(series('a')));
  await Promise.all([a, b]);
  assert.deepEqual(useHealth.getState().series, series('b'));
});

test('a unit whose series fails shows the error, never the previous unit\'s series', async () => {
  bridge.handle('health:series', ({ id }) => (id === 'a' ? ok(series('a')) : fail('internal', 'Store unreadable.')));
  await useHealth.getState().select('a');
  await useHealth.getState().select('b');
  assert.equal(useHealth.getState().series, null);
  assert.equal(useHealth.getState().error?.message, 'Store unreadable.');
  await useHealth.getState().select('a');
  assert.equal(useHealth.getState().error, null);
});

test('a fleet failure is the error; a diagnostics pull reloads a fleet already shown', async () => {
  bridge.handle('health:fleet', () => fail('internal'));
  await useHealth.getState().load();
  assert.equal(useHealth.getState().error?.code, 'internal');
  useDiagnostics.setState({ generation: useDiagnostics.getState().generation + 1 });
  assert.equal(bridge.made('health:fleet').length, 1, 'no reload while nothing was shown');
  bridge.handle('health:fleet', () => ok([])).handle('health:series', () => ok(series('x')));
  await useHealth.getState().load();
  useDiagnostics.setState({ generation: useDiagnostics.getState().generation + 1 });
  await settle();
  assert.equal(bridge.made('health:fleet').length, 3);
});
