import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactText, redactValue } from '../../../src/ops/redaction.js';

/**
 * Inputs built to make a backtracking pattern go back over the same text again and again
 * (the old companion pattern took ~15 s on "token" + 3,000 spaces, roughly cubic).
 */
const shapes: Record<string, (n: number) => string> = {
  'word then spaces': (n) => 'token'.padEnd(n, ' '),
  'word, colon, spaces': (n) => 'password:'.padEnd(n, ' '),
  'word then tabs and newlines': (n) => 'passphrase'.padEnd(n, '\t\n'),
  'words repeated': (n) => 'token '.repeat(n / 6),
  'words without separators': (n) => 'secret'.repeat(n / 6),
  'word-is-word chains': (n) => 'password is '.repeat(n / 12),
  'unclosed quotes': (n) => 'password: "'.repeat(n / 11),
  'escaped quotes': (n) => 'token=\\"'.repeat(n / 8),
  'one long quoted value': (n) => `secret: "${'x'.repeat(n - 11)}`,
  'one long bare value': (n) => `psk=${'y'.repeat(n - 4)}`,
  'long name then no separator': (n) => `token${'a'.repeat(n - 5)}`,
  'bearer repeated': (n) => 'Bearer '.repeat(n / 7),
  'bearer then spaces': (n) => 'bearer'.padEnd(n, ' '),
  'pem begins without end': (n) => '-----BEGIN RSA PRIVATE KEY-----'.repeat(n / 31),
  'pem header spaces': (n) => `-----BEGIN ${' '.repeat(n - 30)}PRIVATE KEY-----`,
  'pass before many spaces': (n) => 'pass'.padEnd(n, ' '),
  'mixed junk': (n) => 'Token: \'a" pass= basic \\" '.repeat(n / 26),
};

/** Best of several interleaved runs of a and b (interleaved, so load and JIT warm-up hit both alike). */
function bestOf(a: () => void, b: () => void, runs = 7): [number, number] {
  let ta = Infinity;
  let tb = Infinity;
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    a();
    ta = Math.min(ta, performance.now() - t);
    t = performance.now();
    b();
    tb = Math.min(tb, performance.now() - t);
  }
  return [ta, tb];
}

test('adversarial 64 KiB fields are redacted in linear time, each well under 50 ms', () => {
  const big = 64 * 1024;
  const small = 4 * 1024;
  for (const [name, make] of Object.entries(shapes)) {
    const large = make(big);
    const pieces = Array.from({ length: big / small }, () => make(small));
    assert.ok(large.length >= big * 0.9, `${name}: input is ${large.length} chars`);
    // The same number of characters in sixteen 4 KiB pieces: about the same time when the rules
    // are linear, 16x less when quadratic, 256x less when cubic.
    const [tLarge, tPieces] = bestOf(
      () => redactText(large),
      () => {
        for (const p of pieces) redactText(p);
      },
    );
    const ratio = tLarge / Math.max(tPieces, 0.05);
    assert.ok(ratio < 5, `${name}: 64 KiB took ${tLarge.toFixed(2)} ms, 16 x 4 KiB ${tPieces.toFixed(2)} ms (x${ratio.toFixed(1)})`);
    // The bound, generous for a loaded machine (the figure is a few ms here).
    assert.ok(tLarge < 50, `${name}: ${tLarge.toFixed(1)} ms for 64 KiB`);
    // And the same text as a field value, at any depth, goes through the same rules.
    const [tField] = bestOf(() => redactValue({ a: { b: [{ note: large }] } }), () => {}, 3);
    assert.ok(tField < 50, `${name}: ${tField.toFixed(1)} ms as a nested field`);
  }
});

test('a value longer than the quoted-value cap does not leak past it', () => {
  const long = 'Q'.repeat(2_000);
  assert.equal(redactText(`psk=${long}`), 'psk=[redacted]');
  assert.equal(redactText(`{"token":"${long}","mode":"sta"}`), '{"token":"[redacted]","mode":"sta"}');
  assert.equal(redactText(`secret: "${long} tail"`), 'secret: "[redacted] tail"');
});
