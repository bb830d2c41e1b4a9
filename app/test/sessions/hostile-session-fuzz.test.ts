import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../../device-firmware-ts/src/hal/sim/seeded-random.js';
import { hostileSession, POISONED_SESSIONS, SESSION_MUTATIONS } from '../../../testbed/hostile-documents.js';
import { decodeVerified, StreamDecoder } from '../../src/sessions/stream-decoder.js';

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
