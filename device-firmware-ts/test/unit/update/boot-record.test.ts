import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BootRecord } from '@pitwall/protocol';
import { decodeBootRecord, encodeBootRecord, newestCopy } from '../../../src/update/boot-record-codec.js';
import { BootRecordStore, initialRecord, RECORD_COPIES } from '../../../src/update/boot-record-store.js';
import { enterState } from '../../../src/update/update-state-table.js';
import { bootDir, markSlotGood } from '../../../src/update/slot-layout.js';
import { silentLogger, type Logger } from '../../../src/ops/logger.js';
import { tempDir } from '../../helpers/paths.js';
import { prng } from '../../helpers/prng.js';

/** A record in the middle of an update, so every field carries something. */
function busyRecord(seq: number): BootRecord {
  const r = enterState(initialRecord('A', new Date('2026-01-01T00:00:00Z')), 'downloading', { target: 'B', version: '2.0.0', now: new Date('2026-01-01T00:00:01Z') });
  return { ...r, seq, slots: { A: { version: '1.0.0', status: 'good' }, B: { version: null, status: 'installing' } } };
}

test('a copy torn at any byte offset (a prefix, or the new bytes over the old) is refused, and the other copy is used', () => {
  const old = encodeBootRecord(busyRecord(6));
  const next = encodeBootRecord({ ...busyRecord(7), tried: 'B', attemptsLeft: 3 });
  const oldCopy = decodeBootRecord(old);
  assert.ok(oldCopy.ok);
  for (let k = 0; k < next.length; k++) {
    const prefix = decodeBootRecord(next.subarray(0, k));
    assert.equal(prefix.ok, false, `a prefix of ${k} of ${next.length} bytes was taken as a record`);
    assert.equal(newestCopy(prefix, oldCopy)?.seq, 6, `torn at ${k}: the older whole copy is used`);
    // A torn sector: the first k bytes new, the rest what was there before.
    const mixed = Buffer.concat([next.subarray(0, k), old.subarray(k)]);
    const whole = mixed.equals(old) || mixed.equals(next);
    assert.equal(decodeBootRecord(mixed).ok, whole, `a mix of new and old bytes at ${k} was ${whole ? 'refused' : 'taken as a record'}`);
  }
  assert.equal(decodeBootRecord(next).ok, true, 'the whole new copy is valid');
});

test('every single bit flip anywhere in a copy is caught; the other copy is used', () => {
  const bytes = encodeBootRecord(busyRecord(9));
  const other = decodeBootRecord(encodeBootRecord(busyRecord(8)));
  for (let i = 0; i < bytes.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const flipped = Buffer.from(bytes);
      flipped[i]! ^= 1 << bit;
      const d = decodeBootRecord(flipped);
      assert.equal(d.ok, false, `bit ${bit} of byte ${i} flipped was not caught`);
      assert.equal(newestCopy(d, other)?.seq, 8);
    }
  }
});

test('seeded random corruption of both copies never yields a record that was not written', () => {
  const rand = prng(1313);
  const written = [busyRecord(20), busyRecord(21)].map((r) => encodeBootRecord(r));
  for (let run = 0; run < 2000; run++) {
    const copies = written.map((b) => {
      const c = Buffer.from(b);
      const flips = Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) c[Math.floor(rand() * c.length)]! ^= 1 + Math.floor(rand() * 255);
      return rand() < 0.2 ? c.subarray(0, Math.floor(rand() * c.length)) : c;
    });
    const [a, b] = copies.map((c) => decodeBootRecord(c));
    const picked = newestCopy(a!, b!);
    if (picked) assert.ok(picked.seq === 20 || picked.seq === 21);
    if (picked) assert.deepEqual(picked, picked.seq === 20 ? busyRecord(20) : busyRecord(21));
  }
});

function capture(): { log: Logger; errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  return { log: { ...silentLogger, error: (m) => errors.push(m), warn: (m) => warnings.push(m) }, errors, warnings };
}

test('the store writes both copies, falls back to the other on a torn file, and with both lost boots the last good slot with a logged error', async () => {
  const { dir, cleanup } = await tempDir('boot-record');
  try {
    const c = capture();
    const store = new BootRecordStore(dir, c.log);
    const first = await store.read();
    assert.equal(first.source, 'first-boot');
    assert.equal(first.record.active, 'A');
    const w1 = await store.write(busyRecord(0));
    const w2 = await store.write({ ...w1, tried: 'B', attemptsLeft: 3 });
    assert.equal(w2.seq, 2);
    assert.equal((await store.read()).source, 'both');
    assert.deepEqual((await readdir(bootDir(dir))).sort(), [...RECORD_COPIES], 'no temp files left');

    // Copy 0 torn mid-way through the newest write; copy 1 still the one before.
    const f0 = join(bootDir(dir), RECORD_COPIES[0]);
    const f1 = join(bootDir(dir), RECORD_COPIES[1]);
    await writeFile(f1, encodeBootRecord(w1));
    const full = await readFile(f0);
    await writeFile(f0, full.subarray(0, full.length >> 1));
    const fell = await store.read();
    assert.equal(fell.source, 'one-copy');
    assert.equal(fell.record.seq, 1);
    assert.match(c.warnings.join('\n'), /record\.0: torn/);

    // Both lost: slot B was the last to pass its health gate.
    await markSlotGood(dir, 'A', new Date('2026-01-01T00:00:00Z'));
    await markSlotGood(dir, 'B', new Date('2026-02-01T00:00:00Z'));
    await writeFile(f1, 'garbage');
    const lost = await store.read();
    assert.equal(lost.source, 'default');
    assert.equal(lost.record.active, 'B');
    assert.equal(lost.record.tried, null);
    assert.match(c.errors.join('\n'), /boot record lost .*booting slot B, the last to pass its health gate/);
    assert.match(lost.record.update.lastError ?? '', /boot record lost/);
  } finally {
    await cleanup();
  }
});

test('with both copies lost and no slot marked good, the default is slot A', async () => {
  const { dir, cleanup } = await tempDir('boot-record-a');
  try {
    const c = capture();
    await mkdir(bootDir(dir), { recursive: true });
    for (const f of RECORD_COPIES) await writeFile(join(bootDir(dir), f), encodeBootRecord(busyRecord(3)).subarray(0, 40));
    const lost = await new BootRecordStore(dir, c.log).read();
    assert.equal(lost.record.active, 'A');
    assert.match(c.errors[0] ?? '', /booting slot A \(no slot marked good\)/);
  } finally {
    await cleanup();
  }
});
