import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeRecord } from '../../../../testbed/fake-diagnostics-unit.js';
import { parseFrame } from '../../../src/diagnostics/log-parse.js';

/** Wires and input: a unit's log line that is not valid UTF-8 is refused as such, not stored with replacement characters. */
test('a log line with invalid UTF-8 is rejected with that reason; the lines around it are kept', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const U = '6f1c2a9e-3b7d-4c55-9a1e-2d3f4b5c6d7e';
  const B = 'b8e1f0a2-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
  const good = (seq: number) => Buffer.from(`${JSON.stringify(makeRecord(U, B, seq, t0))}\n`);
  // Invalid bytes inside a string of the record's JSON: a lenient decode would parse and store it with U+FFFD.
  const bad = (seq: number, bytes: number[]) => {
    const line = Buffer.from(`${JSON.stringify(makeRecord(U, B, seq, t0, { note: 'X'.repeat(bytes.length) }))}\n`);
    line.set(bytes, line.indexOf('X'.repeat(bytes.length)));
    return line;
  };
  const parsed = parseFrame(Buffer.concat([good(1), bad(2, [0xff, 0xfe]), bad(3, [0xc3, 0x28]), good(4)]), U, B);
  assert.deepEqual([...parsed.seq], [1, 4]);
  assert.equal(parsed.invalid, 2);
  assert.ok(parsed.reasons.includes('a line that is not valid UTF-8'), parsed.reasons.join('; '));
  assert.ok(!parsed.extra.some((e) => e.includes('\ufffd')), 'nothing stored with replacement characters');
});
