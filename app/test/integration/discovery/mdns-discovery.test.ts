import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DeviceEntry } from '@pitwall/protocol';
import { createSimLan, lanPrefix, removeStaleNamespaces, type SimLan } from '../../../../testbed/netns.js';
import { needsRoot } from '../../../../testbed/require-root.js';
import type { SimUnit } from '../../../../testbed/sim-unit.js';
import { killStrays, scratchDir, startUnit, waitFor } from '../../helpers/units.js';

const BAD_TXT = fileURLToPath(new URL('../../helpers/bad-txt-publisher.ts', import.meta.url));
const WATCH = fileURLToPath(new URL('../../helpers/discovery-watch.ts', import.meta.url));

/** The companion's discovery running in the LAN's host namespace; `entries` is its latest list. */
function startWatcher(hostNs: string, serialPaths: string[]): { child: ChildProcess; latest: () => DeviceEntry[]; stderr: string[] } {
  const child = spawn('ip', ['netns', 'exec', hostNs, process.execPath, '--import', 'tsx', WATCH, JSON.stringify({ serialPaths, pollIntervalMs: 1000 })], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let entries: DeviceEntry[] = [];
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const msg = JSON.parse(line) as { event: string; entries?: DeviceEntry[] };
      if (msg.event === 'devices' && msg.entries) entries = msg.entries;
    } catch {
      /* not ours */
    }
  });
  return { child, latest: () => entries, stderr };
}

test('mDNS: three units in namespaces, TXT intact, stopped units go offline within 5 s', async (t) => {
  if (!needsRoot(t)) return;
  const prefix = lanPrefix('mdn');
  const scratch = scratchDir('mdns');
  let lan: SimLan | undefined;
  const units: SimUnit[] = [];
  let watcher: ReturnType<typeof startWatcher> | undefined;
  try {
    lan = createSimLan(prefix);
    for (const name of ['Mdns-A', 'Mdns-B', 'Mdns-C']) {
      const { ns } = lan.addUnit();
      units.push(await startUnit(scratch.dir, name, ns));
    }
    const [a, b, c] = units as [SimUnit, SimUnit, SimUnit];
    watcher = startWatcher(lan.hostNs, [a.ready.serialPath]);
    const w = watcher;
    const byId = (id: string): DeviceEntry | undefined => w.latest().find((e) => e.id === id);

    await t.test('all three are found over mDNS with the TXT of each unit', async () => {
      const started = Date.now();
      await waitFor('three units online over mDNS', () => units.every((u) => byId(u.ready.id)?.links.some((l) => l.kind === 'mdns' && l.online)), 15_000);
      t.diagnostic(`three units listed ${Date.now() - started} ms after the browser started`);
      for (const [i, u] of units.entries()) {
        const e = byId(u.ready.id)!;
        assert.equal(e.name, ['Mdns-A', 'Mdns-B', 'Mdns-C'][i]);
        assert.equal(e.model, 'PW-1 (sim)');
        assert.match(e.firmware, /^\d+\.\d+\.\d+/);
        const mdns = e.links.find((l) => l.kind === 'mdns')!;
        assert.equal(mdns.target, `${lan!.units[i]!.address}:${u.ready.apiPort}`, 'target from the A record and TXT api port');
      }
    });

    await t.test('a unit seen over mDNS and USB is one entry with two links', async () => {
      const e = await waitFor('usb link of unit A', () => {
        const entry = byId(a.ready.id);
        return entry?.links.filter((l) => l.online).length === 2 && entry;
      }, 8000);
      assert.deepEqual(e.links.map((l) => l.kind), ['usb', 'mdns']);
      assert.equal(w.latest().length, 3, 'still three entries');
    });

    await t.test('a service with invalid TXT is ignored with a reason, not a crash', async () => {
      const { ns } = lan!.addUnit();
      const impostor = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', BAD_TXT], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        await waitFor('ignored impostor', () => w.stderr.join('').includes('ignoring Impostor'), 8000);
        assert.equal(w.latest().length, 3);
        assert.equal(w.child.exitCode, null, 'discovery still running');
      } finally {
        impostor.kill('SIGTERM');
        await new Promise((r) => impostor.once('exit', r));
      }
    });

    await t.test('a unit stopped with SIGTERM goes offline within 5 s (goodbye)', async () => {
      const stoppedAt = Date.now();
      await b.stop('SIGTERM');
      await waitFor('unit B offline', () => byId(b.ready.id)?.online === false, 5000, 20);
      const took = Date.now() - stoppedAt;
      t.diagnostic(`SIGTERM -> offline in ${took} ms`);
      assert.ok(took < 5000, `took ${took} ms`);
      assert.equal(byId(a.ready.id)?.online, true);
    });

    await t.test('a unit killed with SIGKILL (no goodbye) goes offline within 5 s', async () => {
      const killedAt = Date.now();
      await c.stop('SIGKILL');
      await waitFor('unit C offline', () => byId(c.ready.id)?.online === false, 5000, 20);
      const took = Date.now() - killedAt;
      t.diagnostic(`SIGKILL -> offline in ${took} ms`);
      assert.ok(took < 5000, `took ${took} ms`);
      assert.equal(w.latest().length, 3, 'offline units stay listed');
    });
  } finally {
    if (watcher && watcher.child.exitCode === null) {
      watcher.child.kill('SIGTERM');
      await new Promise((r) => watcher!.child.once('exit', r));
    }
    for (const u of units) await u.stop('SIGTERM').catch(() => undefined);
    t.diagnostic(`ended ${killStrays(scratch.dir)} leftover helper processes`);
    lan?.destroy();
    removeStaleNamespaces(prefix);
    scratch.cleanup();
  }
});
