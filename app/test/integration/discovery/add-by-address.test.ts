import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { CompanionError, type EventName, type EventPayload, type LiveFix } from '@pitwall/protocol';
import { createCompanion, type Companion } from '../../../src/companion.js';
import { openDatabase } from '../../../src/store/database.js';
import { DeviceRepo } from '../../../src/store/device-repo.js';
import type { SimUnit } from '../../../../testbed/sim-unit.js';
import { closedPort, startNotAUnitServer } from '../../helpers/fake-peers.js';
import { pressSimButton } from '../../../../testbed/sim-gpio.js';
import { scratchDir, startUnit, waitFor } from '../../helpers/units.js';

const scratch = scratchDir('addr');
let unit: SimUnit;
const started: Companion[] = [];

function companion(dataDir: string, onEvent?: <E extends EventName>(e: E, p: EventPayload<E>) => void): Companion {
  const c = createCompanion({ dataDir, mdns: false, serial: false, pollIntervalMs: 300, events: onEvent ?? (() => undefined) });
  started.push(c);
  return c;
}

async function rejectsWith(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof CompanionError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  });
}

function dbCounts(dataDir: string): { units: number; links: number; manual: number } {
  const db = openDatabase(dataDir);
  const repo = new DeviceRepo(db);
  const counts = { units: repo.listUnits().length, links: repo.listLinks().length, manual: repo.listManualAddresses().length };
  db.close();
  return counts;
}

before(async () => {
  unit = await startUnit(scratch.dir, 'Addr-1');
});
after(async () => {
  for (const c of started) await c.close();
  await unit?.stop();
  scratch.cleanup();
});

test('a good address adds the unit with an address link, persisted and re-probed after restart', async () => {
  const dataDir = join(scratch.dir, 'good');
  let c = companion(dataDir);
  const entry = await c.handlers['devices:add-address']({ address: `http://127.0.0.1:${unit.ready.apiPort}/` });
  assert.equal(entry.id, unit.ready.id);
  assert.equal(entry.name, 'Addr-1');
  assert.equal(entry.online, true);
  assert.match(entry.firmware, /^\d+\.\d+\.\d+/);
  assert.ok(entry.commit);
  assert.deepEqual(entry.links.map((l) => [l.kind, l.target, l.online]), [['address', `127.0.0.1:${unit.ready.apiPort}`, true]]);
  const again = await c.handlers['devices:add-address']({ address: `127.0.0.1:${unit.ready.apiPort}` });
  assert.equal(again.links.length, 1, 'the same address twice is one link');
  await c.close();

  c = companion(dataDir);
  const [offline] = await c.handlers['devices:list']({});
  assert.equal(offline?.id, unit.ready.id);
  assert.equal(offline?.online, false, 'units from the store start offline');
  await waitFor('re-probe of the saved address', async () => (await c.handlers['devices:list']({}))[0]?.online, 5000);
});

test('garbage addresses are bad-address; a closed port is unreachable; nothing is written', async () => {
  const dataDir = join(scratch.dir, 'bad');
  const c = companion(dataDir);
  for (const address of ['not an address', 'http://host:99999', '300.1.1.1:80', 'ftp://unit', '[::1', 'unit/v1/info', 'a:b:c']) {
    await rejectsWith(c.handlers['devices:add-address']({ address }), 'bad-address', /is not a unit address/);
  }
  await rejectsWith(c.handlers['devices:add-address']({ address: '' }), 'invalid-params', /address/);
  const port = await closedPort();
  await rejectsWith(c.handlers['devices:add-address']({ address: `127.0.0.1:${port}` }), 'unreachable', /connection refused/);
  assert.deepEqual(await c.handlers['devices:list']({}), []);
  assert.deepEqual(dbCounts(dataDir), { units: 0, links: 0, manual: 0 });
});

test('an HTTP server that is not a unit is not-a-unit, whatever it answers', async () => {
  const dataDir = join(scratch.dir, 'notunit');
  const c = companion(dataDir);
  for (const kind of ['html', 'not-found', 'wrong-json', 'garbage-json'] as const) {
    const server = await startNotAUnitServer(kind);
    try {
      await rejectsWith(c.handlers['devices:add-address']({ address: server.target }), 'not-a-unit', /not (look like )?a Pitwall unit|not as a Pitwall unit/);
    } finally {
      await server.close();
    }
  }
  assert.deepEqual(dbCounts(dataDir), { units: 0, links: 0, manual: 0 });
});

test('status, live fixes, GNSS in the list, forget, and errors for unknown units', async () => {
  const fixes: LiveFix[] = [];
  const c = companion(join(scratch.dir, 'live'), (e, p) => {
    if (e === 'live:fix') fixes.push((p as EventPayload<'live:fix'>).fix);
  });
  const { id } = await c.handlers['devices:add-address']({ address: `127.0.0.1:${unit.ready.apiPort}` });
  await rejectsWith(c.handlers['devices:status']({ id }), 'not-paired', /Pair it first/);
  await pressSimButton(join(scratch.dir, 'Addr-1'), 'pair');
  await c.handlers['pairing:pair']({ id, via: 'net', role: 'owner' });
  const status = await c.handlers['devices:status']({ id });
  assert.equal(status.id, id);
  await waitFor('gnss status in the device list', async () => (await c.handlers['devices:list']({}))[0]?.gnss?.fix === '3d', 8000);

  await c.handlers['live:watch']({ id });
  await c.handlers['live:watch']({ id });
  await waitFor('live fixes', () => fixes.length >= 5, 8000);
  assert.ok(fixes.every((f) => f.lat > 37 && f.lat < 38));
  await c.handlers['live:unwatch']({ id });
  const n = fixes.length;
  await new Promise((r) => setTimeout(r, 400));
  assert.ok(fixes.length > n, 'still watched after one of two unwatch calls');
  await c.handlers['live:unwatch']({ id });
  await new Promise((r) => setTimeout(r, 200));
  const m = fixes.length;
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(fixes.length, m, 'no fixes after the last unwatch');

  const other = '00000000-0000-4000-8000-000000000000';
  await rejectsWith(c.handlers['devices:status']({ id: other }), 'not-found', /no unit with id/);
  await rejectsWith(c.handlers['live:watch']({ id: other }), 'not-found', /no unit with id/);
  await rejectsWith(c.handlers['devices:status']({ id: 'not-a-uuid' }), 'invalid-params', /id/);
  await c.handlers['devices:forget']({ id });
  assert.deepEqual(await c.handlers['devices:list']({}), []);
  await new Promise((r) => setTimeout(r, 700));
  assert.deepEqual(await c.handlers['devices:list']({}), [], 'a forgotten address is no longer probed');
});
