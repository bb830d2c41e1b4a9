import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crashDump, type CrashDump } from '@pitwall/protocol';
import { tempDir } from '../../helpers/paths.js';

const CHILD = fileURLToPath(new URL('../../helpers/hang-child.mjs', import.meta.url));

/** Runs the child blocked in `mode`; returns how it ended and the dump the watchdog wrote. */
async function hang(mode: 'js' | 'native'): Promise<{ signal: NodeJS.Signals | null; ms: number; dump: CrashDump }> {
  const { dir, cleanup } = await tempDir(`hang-${mode}`);
  try {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    const child = spawn(process.execPath, [CHILD, mode, dir, fifo], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the watchdog did not end the ${mode} hang in 15 s: ${err}`));
      }, 15_000);
      child.on('exit', (code, signal) => {
        clearTimeout(t);
        resolve({ code, signal });
      });
    });
    const files = (await readdir(join(dir, 'crashes'))).filter((f) => f.endsWith('.json'));
    assert.equal(files.length, 1, `one dump (${files.join(', ')}); child stderr: ${err}`);
    const dump = crashDump.parse(JSON.parse(await readFile(join(dir, 'crashes', files[0]!), 'utf8'))) as CrashDump;
    return { signal: ended.signal, ms: Date.now() - t0, dump };
  } finally {
    await cleanup();
  }
}

test('a loop blocked in JavaScript: the hang dump carries the main thread\'s stack, naming the blocking function', async () => {
  const { signal, dump } = await hang('js');
  assert.equal(signal, 'SIGKILL');
  assert.equal(dump.kind, 'hang');
  assert.match(dump.error.message, /blocked for \d+\.\d s .* in spinInJavaScript/);
  const stack = dump.error.stack ?? '';
  const lines = stack.split('\n');
  assert.match(lines[0]!, /^Hang: event loop blocked/);
  assert.match(lines[1]!, /^ {4}at spinInJavaScript \(file:\/\/.*hang-child\.mjs:\d+:\d+\)$/, stack);
  assert.ok(lines.some((l) => /listOnTimeout|processTimers/.test(l)), `called from the timer: ${stack}`);
});

test('a loop blocked inside a native call: the dump is still written, saying why the stack is missing', async () => {
  const { signal, ms, dump } = await hang('native');
  assert.equal(signal, 'SIGKILL');
  assert.equal(dump.kind, 'hang');
  assert.equal(dump.error.stack, null);
  assert.match(dump.error.message, /stack could not be read: the main thread did not stop for the inspector within 2000 ms \(blocked inside a native call/);
  assert.ok(ms < 8000, `dumped and killed in ${ms} ms (0.5 s limit + 2 s for the stack)`);
});
