import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mdnsTxt } from '@pitwall/protocol';
import { createSimLan, lanPrefix } from '../../../../testbed/netns.js';
import { needsRoot } from '../../../../testbed/require-root.js';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { repoRoot, tempDir } from '../../helpers/paths.js';

const BROWSE = fileURLToPath(new URL('../../helpers/mdns-browse.ts', import.meta.url));

interface BrowseEvent {
  event: string;
  name?: string;
  port?: number;
  txt?: Record<string, string>;
  addresses?: string[];
}

test('units in namespaces advertise _pitwall._tcp with TXT, survive a name clash, and say goodbye on SIGTERM', async (t) => {
  if (!needsRoot(t)) return;
  const lan = createSimLan(lanPrefix('mdn'));
  const dirs: { cleanup: () => Promise<void> }[] = [];
  const units: SimUnit[] = [];
  const browser = spawn('ip', ['netns', 'exec', lan.hostNs, process.execPath, '--import', 'tsx', BROWSE], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: BrowseEvent[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: browser.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as BrowseEvent);
    } catch {
      /* ignore */
    }
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = async (pred: (e: BrowseEvent) => boolean, timeoutMs: number, what: string): Promise<BrowseEvent> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = events.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; events: ${JSON.stringify(events)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
  try {
    await waitFor((e) => e.event === 'browsing', 10_000, 'browser start');
    for (let i = 0; i < 2; i++) {
      const ns = lan.addUnit().ns;
      const d = await tempDir('mdns');
      dirs.push(d);
      // Same name on purpose: the second must still be found, under another instance name.
      units.push(await startSimUnit({ dataDir: d.dir, name: 'Twin', speed: 2, netns: ns }));
    }
    const found: (string | undefined)[] = [];
    for (const u of units) {
      const e = await waitFor((ev) => ev.event === 'up' && ev.txt?.id === u.ready.id, 8000, `unit ${u.ready.id}`);
      const txt = mdnsTxt.parse(e.txt);
      assert.equal(txt.name, 'Twin');
      assert.equal(txt.model, 'PW-1 (sim)');
      assert.equal(txt.fw, '0.1.0');
      assert.equal(txt.api, String(u.ready.apiPort));
      assert.equal(e.port, u.ready.apiPort);
      found.push(e.name);
    }
    assert.equal(new Set(found).size, 2, `instance names must differ: ${found.join(', ')}`);

    const t0 = Date.now();
    assert.equal(await (units[0] as SimUnit).stop('SIGTERM'), 0);
    await waitFor((e) => e.event === 'down' && e.name === found[0], 3000, 'goodbye of the stopped unit');
    assert.ok(Date.now() - t0 < 3000);
    assert.equal(events.some((e) => e.event === 'down' && e.name === found[1]), false, 'the other unit stays up');
  } finally {
    for (const u of units) await u.stop('SIGTERM').catch(() => null);
    browser.kill('SIGTERM');
    lan.destroy();
    for (const d of dirs) await d.cleanup();
  }
});
