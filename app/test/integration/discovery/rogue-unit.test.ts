import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DeviceEntry } from '@pitwall/protocol';
import { createSimLan, lanPrefix, removeStaleNamespaces, type SimLan } from '../../../../testbed/netns.js';
import { needsRoot } from '../../../../testbed/require-root.js';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { killStrays, scratchDir, startUnit, waitFor } from '../../helpers/units.js';

const WATCH = fileURLToPath(new URL('../../helpers/trust-watch.ts', import.meta.url));

test('a rogue unit in another namespace advertising the same id with another key is a conflict, never trusted', async (t) => {
  if (!needsRoot(t)) return;
  const prefix = lanPrefix('rog');
  const scratch = scratchDir('rogue');
  let lan: SimLan | undefined;
  const units: SimUnit[] = [];
  const child = { proc: null as ReturnType<typeof spawn> | null };
  try {
    lan = createSimLan(prefix);
    const real = await startUnit(scratch.dir, 'Real-7', lan.addUnit().ns);
    units.push(real);
    // The rogue: same board serial (so the same unit id), its own identity key.
    const rogueDir = join(scratch.dir, 'Rogue');
    mkdirSync(rogueDir, { recursive: true });
    cpSync(join(scratch.dir, 'Real-7', 'sim-board'), join(rogueDir, 'sim-board'), { recursive: true });

    const proc = spawn('ip', ['netns', 'exec', lan.hostNs, process.execPath, '--import', 'tsx', WATCH, JSON.stringify({ serialPaths: [real.ready.serialPath], unitId: real.ready.id, dataDir: join(scratch.dir, 'companion') })], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.proc = proc;
    let entries: DeviceEntry[] = [];
    const events: Record<string, unknown>[] = [];
    const stderr: string[] = [];
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { event: string; entries?: DeviceEntry[] };
      if (msg.event === 'devices') entries = msg.entries!;
      else events.push(msg);
    });
    const byId = () => entries.find((e) => e.id === real.ready.id);
    const paired = (await waitFor('paired over USB', () => events.find((e) => e.event === 'paired'), 20_000)) as { unitFingerprint?: string; error?: string };
    assert.ok(paired.unitFingerprint, `pairing failed: ${JSON.stringify(paired)} ${stderr.join('')}`);
    await waitFor('real unit paired with an mdns link', () => byId()?.pairing.state === 'paired' && byId()!.links.some((l) => l.kind === 'mdns' && l.online), 15_000);

    const rogue = await startSimUnit({ dataDir: rogueDir, name: 'Real-7', netns: lan.addUnit().ns });
    units.push(rogue);
    assert.equal(rogue.ready.id, real.ready.id, 'the rogue claims the same id');
    const conflict = await waitFor('conflict', () => byId()?.pairing.state === 'conflict' && byId(), 15_000);
    assert.equal(conflict.pairing.pinnedFingerprint, paired.unitFingerprint);
    assert.notEqual(conflict.pairing.seenFingerprint, paired.unitFingerprint);
    assert.match(conflict.pairing.seenFingerprint ?? '', /^SHA256:/);
    t.diagnostic(`conflict: pinned ${conflict.pairing.pinnedFingerprint}, rogue ${conflict.pairing.seenFingerprint}`);

    // The real unit keeps working through its own link, proving the pinned key; the rogue's link is never used.
    for (let i = 0; i < 5; i++) {
      proc.stdin!.write('status\n');
      const status = (await waitFor('status answer', () => events.filter((e) => e.event === 'status')[i], 8000)) as { ok: boolean; fingerprint?: string; message?: string };
      assert.equal(status.ok, true, status.message);
      assert.equal(status.fingerprint, paired.unitFingerprint);
    }
  } finally {
    if (child.proc && child.proc.exitCode === null) {
      child.proc.kill('SIGTERM');
      await new Promise((r) => child.proc!.once('exit', r));
    }
    for (const u of units) await u.stop('SIGTERM').catch(() => undefined);
    killStrays(scratch.dir);
    lan?.destroy();
    removeStaleNamespaces(prefix);
    scratch.cleanup();
  }
});
