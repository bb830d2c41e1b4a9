import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DeviceEntry } from '@pitwall/protocol';
import { createCompanion, type Companion } from '../../../src/companion.js';
import type { SimUnit } from '../../../../testbed/sim-unit.js';
import { startGarbagePty } from '../../helpers/fake-peers.js';
import { scratchDir, startUnit, waitFor } from '../../helpers/units.js';

const scratch = scratchDir('serial');
let unit: SimUnit;
let garbage: Awaited<ReturnType<typeof startGarbagePty>>;
const started: Companion[] = [];
const DISCOVER_CLI = fileURLToPath(new URL('../../helpers/discover-cli.ts', import.meta.url));

before(async () => {
  unit = await startUnit(scratch.dir, 'Serial-1');
  garbage = await startGarbagePty(scratch.dir);
});
after(async () => {
  for (const c of started) await c.close();
  await unit?.stop();
  await garbage?.close();
  scratch.cleanup();
});

function companion(serialPaths: string[], listPorts: () => Promise<{ path: string }[]>, log: string[] = []): Companion {
  const c = createCompanion({ dataDir: null, mdns: false, serialPaths, listPorts, pollIntervalMs: 300, hotplug: false, events: () => undefined, log: (m) => log.push(m) });
  started.push(c);
  return c;
}

test('a unit on a pty is recognised by hello; a pty answering garbage is not listed and does not stall the scan', async () => {
  const log: string[] = [];
  const missing = `${scratch.dir}/no-such-port`;
  const c = companion([garbage.path, missing, unit.ready.serialPath], async () => [], log);
  const entry = await waitFor('unit over serial', async () => (await c.handlers['devices:list']({})).find((e) => e.online), 8000);
  assert.equal(entry.id, unit.ready.id);
  assert.equal(entry.name, 'Serial-1');
  assert.deepEqual(entry.links.map((l) => [l.kind, l.target, l.online]), [['usb', unit.ready.serialPath, true]]);
  await waitFor('garbage port rejected', () => log.some((m) => m.includes(garbage.path) && m.includes('is not a unit')), 5000);
  await new Promise((r) => setTimeout(r, 1000));
  const list = await c.handlers['devices:list']({});
  assert.equal(list.length, 1, `only the unit is listed: ${JSON.stringify(list)}`);
  assert.equal(list[0]?.online, true, 'the unit stays online while the garbage port is re-probed');
  await c.close(); // releases the port (opened exclusively) for the next test
});

test('a failing port enumeration is reported and survived; enumerated gadget ports are candidates', async () => {
  const log: string[] = [];
  let calls = 0;
  const c = companion([], async () => {
    calls++;
    if (calls <= 2) throw Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT' });
    return [
      { path: '/dev/ttyS0' },
      { path: unit.ready.serialPath, vendorId: '1d6b', productId: '0104' },
    ];
  }, log);
  const entry = await waitFor('unit after enumeration recovers', async () => (await c.handlers['devices:list']({})).find((e) => e.online), 8000);
  assert.equal(entry.id, unit.ready.id);
  assert.ok(log.some((m) => m.includes('listing ports failed (spawn udevadm ENOENT)')), log.join('\n'));
  assert.ok(calls >= 3);
  await c.close();
});

test('SerialPort.list() without udevadm on PATH does not take discovery down (discoverOnce in a child)', async () => {
  const run = promisify(execFile);
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', DISCOVER_CLI, JSON.stringify({ timeoutMs: 1500, mdns: false, serialPaths: [unit.ready.serialPath] })],
    { env: { ...process.env, PATH: '/nonexistent' }, timeout: 20_000 },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { entries: DeviceEntry[]; log: string[] };
  assert.deepEqual(result.entries.map((e) => [e.id, e.links.map((l) => l.kind)]), [[unit.ready.id, ['usb']]]);
  assert.ok(result.log.some((m) => /listing ports failed/.test(m)), result.log.join('\n'));
});
