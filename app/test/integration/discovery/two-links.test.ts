import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { createCompanion, type Companion } from '../../../src/companion.js';
import type { SimUnit } from '../../../../testbed/sim-unit.js';
import { killStrays, scratchDir, startUnit, waitFor } from '../../helpers/units.js';

const scratch = scratchDir('twolinks');
let unit: SimUnit;
let c: Companion | undefined;

before(async () => {
  unit = await startUnit(scratch.dir, 'Both-1');
});
after(async () => {
  await c?.close();
  await unit?.stop('SIGTERM');
  killStrays(scratch.dir);
  scratch.cleanup();
});

test('one unit over address and USB is ONE entry with two links; stopping it takes both offline', async () => {
  c = createCompanion({
    dataDir: join(scratch.dir, 'companion'),
    mdns: false,
    serialPaths: [unit.ready.serialPath],
    listPorts: async () => [],
    hotplug: false,
    pollIntervalMs: 500,
    events: () => undefined,
  });
  await c.handlers['devices:add-address']({ address: `127.0.0.1:${unit.ready.apiPort}` });
  const entry = await waitFor('usb link next to the address link', async () => {
    const list = await c!.handlers['devices:list']({});
    return list.length === 1 && list[0]!.links.filter((l) => l.online).length === 2 && list[0];
  }, 8000);
  assert.equal(entry.id, unit.ready.id);
  assert.deepEqual(entry.links.map((l) => l.kind), ['usb', 'address']);
  assert.equal(entry.online, true);

  const stoppedAt = Date.now();
  await unit.stop('SIGTERM');
  const offline = await waitFor('entry offline', async () => {
    const [e] = await c!.handlers['devices:list']({});
    return e && !e.online && e;
  }, 5000);
  const took = Date.now() - stoppedAt;
  assert.ok(took < 5000, `offline after ${took} ms`);
  assert.deepEqual(offline.links.map((l) => l.online), [false, false]);
  assert.equal(offline.gnss, null);
  assert.ok(offline.lastSeen >= entry.lastSeen);
});
