import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder, FrameType, decodeRpcPayload, encodeFrame, encodeRpcFrame, DEFAULT_MAX_PAYLOAD } from '@pitwall/protocol';

const text = (s: string) => new TextEncoder().encode(s);
const join = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const payloads = (frames: { payload: Uint8Array }[]) => frames.map((f) => new TextDecoder().decode(f.payload));

describe('frame codec', () => {
  it('round-trips a frame and an empty frame', () => {
    const d = new FrameDecoder();
    const frames = d.push(join(encodeFrame(7, text('hello')), encodeFrame(1, new Uint8Array(0))));
    assert.deepEqual(frames.map((f) => f.type), [7, 1]);
    assert.deepEqual(payloads(frames), ['hello', '']);
    assert.equal(d.pending, 0);
  });

  it('decodes a frame delivered one byte at a time', () => {
    const d = new FrameDecoder();
    const bytes = encodeRpcFrame({ jsonrpc: '2.0', id: 1, method: 'hello' });
    const got = [];
    for (const b of bytes) got.push(...d.push(Uint8Array.of(b)));
    assert.equal(got.length, 1);
    assert.deepEqual(decodeRpcPayload(got[0]!), { jsonrpc: '2.0', id: 1, method: 'hello' });
  });

  it('resynchronises after garbage, including garbage full of magic bytes', () => {
    const d = new FrameDecoder();
    const garbage = text('PWPWP\x01\x00PW\xff\xffxxxxP');
    const frames = d.push(join(garbage, encodeFrame(1, text('a')), garbage, encodeFrame(1, text('b')), garbage));
    assert.deepEqual(payloads(frames), ['a', 'b']);
    assert.ok(d.stats.skippedBytes > 0);
  });

  it('rejects a corrupted payload by CRC and still decodes the next frame', () => {
    const d = new FrameDecoder();
    const bad = encodeFrame(1, text('corrupt me'));
    bad[8] = bad[8]! ^ 0x01;
    const frames = d.push(join(bad, encodeFrame(1, text('ok'))));
    assert.deepEqual(payloads(frames), ['ok']);
    assert.equal(d.stats.badCrcs, 1);
  });

  it('skips a header whose length exceeds the limit without waiting for its body', () => {
    const d = new FrameDecoder(64);
    const big = encodeFrame(1, new Uint8Array(65), 1000);
    const frames = d.push(join(big.subarray(0, 6), encodeFrame(1, text('next'))));
    assert.deepEqual(payloads(frames), ['next']);
    assert.equal(d.stats.oversize, 1);
  });

  it('bounds memory: an endless stream of garbage is not buffered', () => {
    const d = new FrameDecoder();
    for (let i = 0; i < 1000; i++) d.push(new Uint8Array(4096).fill(0x41));
    assert.ok(d.pending <= 1);
  });

  it('refuses to encode an oversize payload or a bad type', () => {
    assert.throws(() => encodeFrame(1, new Uint8Array(DEFAULT_MAX_PAYLOAD + 1)), /exceeds/);
    assert.throws(() => encodeFrame(256, new Uint8Array(1)), /out of range/);
  });

  it('reports bad JSON inside an rpc frame as an Error value', () => {
    const result = decodeRpcPayload({ type: FrameType.rpc, payload: text('{nope') });
    assert.ok(result instanceof Error);
    const badUtf8 = decodeRpcPayload({ type: FrameType.rpc, payload: Uint8Array.of(0xc3, 0x28) });
    assert.ok(badUtf8 instanceof Error);
  });
});
