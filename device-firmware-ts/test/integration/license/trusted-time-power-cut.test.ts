import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TrustedClock } from '../../../src/license/trusted-clock.js';
import { prng } from '../../helpers/prng.js';
import { tempDir } from '../../helpers/paths.js';

const CHILD = fileURLToPath(new URL('../../helpers/trusted-time-child.mjs', import.meta.url));
const ROUNDS = 12;
const START = '2027-01-01T00:00:00.000Z';

/** Runs the child until it has reported `saves` durable saves plus a seeded extra delay, then SIGKILLs it; the last value it reported durable. */
function runAndKill(file: string, startIso: string, extraMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, file, startIso], { stdio: ['ignore', 'pipe', 'inherit'] });
    let last = -1;
    let buf = '';
    let killing = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('saved ')) last = Number(line.slice(6));
        if (!killing && last > 0) {
          killing = true;
          setTimeout(() => child.kill('SIGKILL'), extraMs);
        }
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve(last));
  });
}

test(`power cut (SIGKILL) while the trusted time is saved, ${ROUNDS} times: the record is never torn and never behind a save that completed`, async () => {
  const { dir, cleanup } = await tempDir('trusted-time-cut');
  try {
    const file = join(dir, 'trusted-time.json');
    const rand = prng(0x7c1c);
    let floor = Date.parse(START);
    for (let round = 0; round < ROUNDS; round++) {
      // Each restart begins with its system clock set back to the start: only the record carries time forward.
      const lastDurable = await runAndKill(file, START, Math.floor(rand() * 40));
      assert.ok(lastDurable > 0, `round ${round}: the child saved nothing`);
      const saved = JSON.parse(await readFile(file, 'utf8')) as { latestMs: number };
      assert.ok(saved.latestMs >= lastDurable, `round ${round}: the record ${saved.latestMs} is behind a completed save ${lastDurable}`);
      assert.ok(saved.latestMs >= floor, `round ${round}: the latest time seen moved back`);
      floor = saved.latestMs;
      const reopened = await TrustedClock.open(file, { systemMs: () => Date.parse(START), monoMs: () => 0 });
      const r = reopened.read();
      assert.equal(r.nowMs, saved.latestMs);
      assert.equal(r.tampered, true, 'a system clock back at the start is behind the saved time');
      assert.doesNotMatch(r.tamperReason ?? '', /damaged/, `round ${round}: the record was damaged`);
    }
    // Temp files of killed writers are removed at the next open, never taken for the record.
    await TrustedClock.open(file);
    assert.deepEqual((await readdir(dir)).filter((n) => n.includes('.tmp-')), []);
  } finally {
    await cleanup();
  }
});
