import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { test } from 'node:test';
import { seededRandom } from '../../../../device-firmware-ts/src/hal/sim/seeded-random.js';
import { hostileSession, POISONED_SESSIONS, SESSION_MUTATIONS } from '../../../../testbed/hostile-documents.js';
import { downloadSession } from '../../../src/sessions/session-download.js';
import { decodeVerified, StreamDecoder } from '../../../src/sessions/stream-decoder.js';
import { fakeSource } from '../../helpers/fake-session-unit.js';
import { scratchDir } from '../../helpers/units.js';

/**
 * Wires and input: the hostile unit's session mutations, thousands of them, straight through the
 * decoders a download feeds (in random piece sizes, as TLS records arrive): the stream decoder
 * never throws, and the whole-file decoder either accepts the file or refuses it with a plain
 * Error saying why — never a TypeError or RangeError from deep inside, never a poisoned file.
 */
test('thousands of seeded hostile session files: decoded or refused with a reason, never thrown past the decoder', () => {
  const rand = seededRandom(20_261_206);
  const seen = new Map<string, number>();
  for (let i = 0; i < 4000; i++) {
    const mutation = SESSION_MUTATIONS[i % SESSION_MUTATIONS.length]!;
    const s = hostileSession('unit-h', mutation, rand);
    const stream = new StreamDecoder();
    for (let at = 0; at < s.bytes.length; ) {
      const n = 1 + Math.floor(rand() * 700);
      assert.doesNotThrow(() => stream.push(s.bytes.subarray(at, at + n)), `push, ${mutation} #${i}`);
      at += n;
      stream.drain();
    }
    let verdict: string;
    try {
      decodeVerified(s.bytes);
      verdict = 'decoded';
    } catch (err) {
      assert.equal((err as Error).constructor.name === 'TypeError' || (err as Error).constructor.name === 'RangeError', false, `${mutation} #${i}: ${(err as Error).stack}`);
      assert.ok((err as Error).message.length > 10, 'a reason');
      verdict = 'refused';
    }
    if (POISONED_SESSIONS.has(mutation) && mutation !== 'other-unit' && mutation !== 'listed-huge' && mutation !== 'cut' && mutation !== 'oversize') {
      assert.equal(verdict, 'refused', `${mutation} #${i} must be refused`);
      assert.equal(stream.result(s.bytes.length), null, `${mutation} #${i}: the stream must not vouch for it`);
    }
    seen.set(`${mutation} ${verdict}`, (seen.get(`${mutation} ${verdict}`) ?? 0) + 1);
  }
  assert.ok((seen.get('clean decoded') ?? 0) > 0 && (seen.get('bit-flip refused') ?? 0) > 0, JSON.stringify([...seen]));
});

const SERVER_CHILD = fileURLToPath(new URL('../../helpers/session-server-child.ts', import.meta.url));

test('Oversized input: a 64 MB session is streamed to disk and hashed on the way, not held in memory', async () => {
  const scratch = scratchDir('session-memory');
  const size = 64 * 1024 * 1024;
  const path = join(scratch.dir, 'big.pwsf');
  writeFileSync(path, randomBytes(size));
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  // The unit in its own process: only the companion's buffers are measured here.
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_CHILD, path, 's-big', sha256], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const source = fakeSource('unit-big', 'Big', (JSON.parse(line) as { port: number }).port);
  try {
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const got = await downloadSession({
      link: source,
      sessionId: 's-big',
      sha256,
      sizeB: size,
      partialDir: scratch.dir,
      disk: { minFreeBytes: 0 },
      onBytes: () => {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      },
    });
    const held = process.memoryUsage().arrayBuffers - base;
    // Held whole, a session costs at least its size (the old download peaked above 71 MiB here);
    // streamed, what is left is chunks in flight and garbage not yet collected (16-32 MiB seen).
    assert.ok(peak < size * 0.75, `peak ${Math.round(peak / 2 ** 20)} MiB of buffers above the start while downloading ${size / 2 ** 20} MiB`);
    assert.ok(held < size / 2, `${Math.round(held / 2 ** 20)} MiB still held after the download`);
    assert.equal(got.sizeB, size);
    assert.equal(createHash('sha256').update(await got.read()).digest('hex'), sha256, 'the verified bytes are in the file');
    await got.release();
  } finally {
    source.close?.();
    child.kill('SIGTERM');
    await once(child, 'exit');
    scratch.cleanup();
  }
});
