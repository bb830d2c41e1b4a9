import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rename, rm, stat, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { auditRecord } from '@pitwall/protocol';
import { tempDir } from '../../helpers/paths.js';
import { prng } from '../../helpers/prng.js';
import { auditFiles, openAuditLog, silentLogger, type AuditEntry, type AuditLog, type AuditLogOptions, type Logger } from '../../../src/index.js';

/**
 * The audit log's size bound: audit.jsonl rotated to audit.1.jsonl … audit.KEEP.jsonl. What is
 * kept stays under the bound, its seqs are continuous, read() pages across the files, and a
 * restart, a torn line or a crash between the renames of a rotation loses nothing kept. An
 * append that fails part-way (disk full) loses its own record only.
 */

const entry = (detail: string): AuditEntry => ({ event: 'refuse', outcome: 'refused', operatorFingerprint: null, role: null, via: 'network', detail });
/** A record line of exactly `RECORD_BYTES` bytes, as the log would write it. */
const RECORD_BYTES = 150;
const line = (seq: number) => {
  const head = { time: '2026-01-01T00:00:00.000Z', seq, ...entry('') };
  const pad = RECORD_BYTES - `${JSON.stringify(head)}\n`.length;
  return `${JSON.stringify({ ...head, detail: 'x'.repeat(pad) })}\n`;
};
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i)).join('');
const names = (keep: number) => ['audit.jsonl', ...Array.from({ length: keep }, (_, i) => `audit.${i + 1}.jsonl`)];

/** The seqs of the records in one file; none when it is missing. A torn line is skipped. */
async function seqsIn(file: string): Promise<number[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').flatMap((l) => {
    try {
      return [auditRecord.parse(JSON.parse(l)).seq];
    } catch {
      return [];
    }
  });
}

/** The audit directory as the files say: names present, total bytes, seqs oldest first. */
async function onDisk(dataDir: string, keep: number) {
  const dir = join(dataDir, 'audit');
  // The security records' files (refusals.jsonl beside them has a bound of its own).
  const present = (await readdir(dir)).filter((n) => n.startsWith('audit')).sort();
  let bytes = 0;
  const seqs: number[] = [];
  for (const name of names(keep).reverse()) {
    if (!present.includes(name)) continue;
    bytes += (await stat(join(dir, name))).size;
    seqs.push(...(await seqsIn(join(dir, name))));
  }
  return { present, bytes, seqs };
}

async function readAll(log: AuditLog, after = 0, limit = 1_000_000): Promise<number[]> {
  const out: number[] = [];
  for await (const r of log.read(after, limit)) out.push(r.seq);
  return out;
}

/** Pages through read() `limit` records at a time, as GET /v1/audit's client does. */
async function readPaged(log: AuditLog, limit: number, between: () => Promise<void> = async () => {}): Promise<number[]> {
  const out: number[] = [];
  for (;;) {
    const page = await readAll(log, out.at(-1) ?? 0, limit);
    out.push(...page);
    if (page.length < limit) return out;
    await between();
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function assertContinuous(seqs: number[], last: number, what: string) {
  assert.ok(seqs.length > 0, `${what}: no records`);
  assert.deepEqual(seqs, range(seqs[0]!, last), `${what}: seqs ${seqs.join(',')}`);
}

test('audit log rotation: bounded size, continuous seq, read pages across rotations, a restart continues seq', async () => {
  const { dir, cleanup } = await tempDir('audit-rotate');
  const opts: AuditLogOptions = { maxBytes: 2000, keep: 3 };
  const bound = (opts.keep! + 1) * opts.maxBytes!;
  try {
    let log = await openAuditLog(dir, silentLogger, opts);
    for (let i = 1; i <= 400; i++) {
      await log.write(entry('d'.repeat(i % 90)));
      if (i % 25 === 0) assert.ok((await onDisk(dir, opts.keep!)).bytes <= bound, `after ${i} records`);
    }
    let disk = await onDisk(dir, opts.keep!);
    assert.deepEqual(disk.present, names(opts.keep!).sort());
    // auditFiles (how test helpers read the log) names the same files, oldest first.
    assert.deepEqual(auditFiles(dir, opts.keep), names(opts.keep!).reverse().map((n) => join(dir, 'audit', n)));
    assert.ok(disk.bytes <= bound && disk.bytes > bound / 2, `${disk.bytes} bytes`);
    assertContinuous(disk.seqs, 400, 'kept records');
    assert.ok(disk.seqs[0]! > 1, 'the oldest records were rotated away');

    // The reader sees what the files hold; its first seq above after + 1 shows what was dropped.
    assert.deepEqual(await readAll(log), disk.seqs);
    assert.deepEqual(await readPaged(log, 7), disk.seqs);
    assert.deepEqual(await readAll(log, disk.seqs[10]!, 3), disk.seqs.slice(11, 14));
    assert.deepEqual(await readAll(log, 400, 10), []);

    // Records written (and files rotated) between pages: none read twice, none skipped.
    let written = 400;
    const paged = await readPaged(log, 5, async () => {
      for (let i = 0; i < 3; i++, written++) await log.write(entry('between pages'));
    });
    assertContinuous(paged, written, 'paged while writing');
    assert.ok(paged[0]! < (await onDisk(dir, opts.keep!)).seqs[0]!, 'files were rotated while paging');

    // A reader part-way through while every file it started on is rotated away: it reads on from
    // the files it opened, a continuous run, not a jump to whatever now has their names.
    const oldest = (await onDisk(dir, opts.keep!)).seqs[0]!;
    const reader = log.read(0, 1_000_000);
    const seen = [(await reader.next()).value!.seq];
    await Promise.all(Array.from({ length: 80 }, () => log.write(entry('while a reader is on'))));
    const before = written;
    written += 80;
    assert.ok((await onDisk(dir, opts.keep!)).seqs[0]! > before, 'every file the reader opened was dropped');
    for await (const r of reader) seen.push(r.seq);
    assertContinuous(seen, seen.at(-1)!, 'read across rotations');
    assert.equal(seen[0], oldest);
    assert.ok(seen.at(-1)! >= before, `read up to ${seen.at(-1)}`);

    await log.close();
    log = await openAuditLog(dir, silentLogger, opts);
    await log.write(entry('after a restart'));
    disk = await onDisk(dir, opts.keep!);
    assertContinuous(disk.seqs, written + 1, 'after a restart');
    assert.deepEqual(await readAll(log), disk.seqs);
    await log.close();
  } finally {
    await cleanup();
  }
});

test('audit log: after a rotation an empty, missing or torn-only audit.jsonl continues from audit.1; a torn last line is skipped', async () => {
  const { dir, cleanup } = await tempDir('audit-reopen');
  const opts: AuditLogOptions = { maxBytes: 10 * RECORD_BYTES, keep: 2 };
  const file = (name: string) => join(dir, 'audit', name);
  try {
    await mkdir(join(dir, 'audit'));
    await writeFile(file('audit.2.jsonl'), lines(1, 10));
    await writeFile(file('audit.1.jsonl'), lines(11, 20));
    const cases: [string, string | null][] = [
      ['empty audit.jsonl', ''],
      ['no audit.jsonl', null],
      ['audit.jsonl holding only a torn line', line(21).slice(0, 60)],
    ];
    for (const [what, current] of cases) {
      await writeFile(file('audit.1.jsonl'), lines(11, 20));
      if (current === null) await rm(file('audit.jsonl'), { force: true });
      else await writeFile(file('audit.jsonl'), current);
      const log = await openAuditLog(dir, silentLogger, opts);
      await log.write(entry(what));
      assert.deepEqual(await readAll(log), range(1, 21), what);
      await log.close();
    }

    // A torn line after records: its seq is used again, the torn line stays skipped.
    await writeFile(file('audit.jsonl'), `${lines(21, 24)}${line(25).slice(0, 100)}`);
    const log = await openAuditLog(dir, silentLogger, opts);
    await log.write(entry('after a torn line'));
    assert.deepEqual(await readAll(log), range(1, 25));
    assert.deepEqual(await readAll(log, 20, 3), [21, 22, 23]);
    // The torn line counts towards the size: the next files are rotated with it.
    for (let i = 0; i < 30; i++) await log.write(entry('more'));
    assert.deepEqual(await readAll(log), (await onDisk(dir, opts.keep!)).seqs);
    assertContinuous(await readAll(log), 55, 'after rotating the torn file');
    await log.close();
  } finally {
    await cleanup();
  }
});

/**
 * A disk filling up as write(2) shows it, for `writeSome`: with `room` bytes left a write takes
 * what fits (a short write), the next fails with ENOSPC; `room` null is a disk with space.
 */
function fillingDisk() {
  const disk = {
    room: null as number | null,
    /** The bytes of the first write since this was set to null: an append's line, with the '\n' ending a torn one before it. */
    asked: null as number | null,
    writeSome: async (fh: FileHandle, data: Buffer): Promise<number> => {
      disk.asked ??= data.length;
      if (disk.room === null) return (await fh.write(data)).bytesWritten;
      if (disk.room === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      const { bytesWritten } = await fh.write(data.subarray(0, disk.room));
      disk.room -= bytesWritten;
      return bytesWritten;
    },
  };
  return disk;
}

const errorsTo = (errors: string[]): Logger => ({ ...silentLogger, error: (msg: string) => void errors.push(msg) });

test('audit log: an append that fails part-way (disk full) loses only its own record; the next ends the torn line first', async () => {
  const { dir, cleanup } = await tempDir('audit-enospc');
  const file = join(dir, 'audit', 'audit.jsonl');
  const disk = fillingDisk();
  const errors: string[] = [];
  try {
    let log = await openAuditLog(dir, errorsTo(errors), { writeSome: disk.writeSome });
    for (let i = 1; i <= 3; i++) await log.write(entry(`record ${i}`));
    disk.room = 60;
    await log.write(entry('record 4: only 60 bytes fit'));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /ENOSPC/);
    let text = await readFile(file, 'utf8');
    assert.ok(!text.endsWith('\n'), 'a torn line ends the file');
    // Still full: not even the newline fits; the file stays as it was, still torn.
    await log.write(entry('record 5: nothing fits'));
    assert.equal(errors.length, 2);
    assert.equal(await readFile(file, 'utf8'), text);
    // Only the newline fits: the torn line is ended, the next record needs no other.
    disk.room = 1;
    await log.write(entry('record 6: only the newline fits'));
    assert.equal(errors.length, 3);
    assert.equal(await readFile(file, 'utf8'), `${text}\n`);
    disk.room = null;
    await log.write(entry('record 7: space again'));
    assert.equal(errors.length, 3);
    text = await readFile(file, 'utf8');
    const torn = text.split('\n')[3]!;
    assert.equal(Buffer.byteLength(torn), 60, 'the torn line is a line of its own');
    assert.match(torn, /^\{"time":"[^"]*","seq":4,/);
    assert.ok(text.endsWith('\n') && !text.includes('\n\n'), 'no empty line');
    // The failed records' seqs are holes; what follows them is read, seq increasing.
    assert.deepEqual(await readAll(log), [1, 2, 3, 7]);
    for await (const r of log.read(3, 10)) assert.equal(r.detail, 'record 7: space again');

    // A failure with nothing written on a clean file leaves no line behind.
    disk.room = 0;
    await log.write(entry('record 8: nothing fits'));
    disk.room = null;
    await log.write(entry('record 9'));
    assert.ok(!(await readFile(file, 'utf8')).includes('\n\n'), 'no empty line');
    assert.deepEqual(await readAll(log), [1, 2, 3, 7, 9]);

    // Failed as the last append before a restart: the torn line is ended by the next one after.
    disk.room = 100;
    await log.write(entry('record 10: torn, then a restart'));
    await log.close();
    log = await openAuditLog(dir, silentLogger);
    await log.write(entry('after the restart'));
    // The torn record was never readable, so its seq is used again (as after a power cut).
    assert.deepEqual(await readAll(log), [1, 2, 3, 7, 9, 10]);
    assert.deepEqual(await seqsIn(file), [1, 2, 3, 7, 9, 10]);
    assert.equal(errors.length, 5);
    await log.close();
  } finally {
    await cleanup();
  }
});

test('audit log: failed appends across rotations: what reached the disk is counted, files rotate when the real size would pass the bound', async () => {
  const { dir, cleanup } = await tempDir('audit-enospc-rotate');
  const keep = 3;
  const opts = { maxBytes: 8 * RECORD_BYTES, keep };
  const file = join(dir, 'audit', 'audit.jsonl');
  const disk = fillingDisk();
  const errors: string[] = [];
  const log = await openAuditLog(dir, errorsTo(errors), { ...opts, writeSome: disk.writeSome });
  try {
    const written: number[] = [];
    let failed = 0;
    let rotations = 0;
    for (let seq = 1; seq <= 150; seq++) {
      // Every ninth append is cut short (a different length each time); the one after it finds
      // the disk still full half of the time.
      if (seq % 9 === 4) disk.room = 1 + ((seq * 37) % 140);
      else if (seq % 9 === 5 && seq % 2 === 0) disk.room = null;
      else if (seq % 9 === 6) disk.room = null;
      const fits = disk.room === null;
      const before = await stat(file);
      const wasTorn = before.size > 0 && !(await readFile(file, 'utf8')).endsWith('\n');
      disk.asked = null;
      await log.write(entry(`record ${seq}`));
      const asked = disk.asked!;
      if (fits) written.push(seq);
      else failed++;

      const after = await stat(file);
      const rotated = after.ino !== before.ino;
      if (rotated) rotations++;
      // The rotation's decision matches the real size: rotated only when this line (and the
      // newline ending a torn one) would have taken the file past maxBytes, else it fits.
      if (rotated) assert.ok(before.size + asked + (wasTorn ? 1 : 0) > opts.maxBytes, `record ${seq}: rotated early`);
      else assert.ok(before.size + asked <= opts.maxBytes, `record ${seq}: not rotated at ${before.size} bytes`);
      assert.ok(after.size <= opts.maxBytes, `record ${seq}: ${after.size} bytes`);
    }
    assert.equal(errors.length, failed);
    assert.ok(failed >= 20 && rotations >= 10, `${failed} failed appends, ${rotations} rotations`);
    const kept = (await onDisk(dir, keep)).seqs;
    assert.deepEqual(kept, written.slice(written.indexOf(kept[0]!)), 'every record written is kept, back to the oldest file');
    assert.equal(kept.at(-1), 150);
    assert.deepEqual(await readAll(log), kept);
    assert.deepEqual(await readPaged(log, 4), kept);
  } finally {
    await log.close();
    await cleanup();
  }
});

test('audit log: a crash at any point of a rotation loses no kept record, and seq goes on increasing', async () => {
  const keep = 3;
  const opts: AuditLogOptions = { maxBytes: 10 * RECORD_BYTES, keep };
  // With every number taken a rotation renames audit.2→3 (dropping 1..10), audit.1→2 and
  // audit.jsonl→1, then creates audit.jsonl.
  const renames = [
    ['audit.2.jsonl', 'audit.3.jsonl'],
    ['audit.1.jsonl', 'audit.2.jsonl'],
    ['audit.jsonl', 'audit.1.jsonl'],
  ] as const;
  for (let done = 0; done <= renames.length + 1; done++) {
    const { dir, cleanup } = await tempDir('audit-crash');
    const file = (name: string) => join(dir, 'audit', name);
    const what = `crash after ${done} step(s)`;
    try {
      await mkdir(join(dir, 'audit'));
      await writeFile(file('audit.3.jsonl'), lines(1, 10));
      await writeFile(file('audit.2.jsonl'), lines(11, 20));
      await writeFile(file('audit.1.jsonl'), lines(21, 30));
      await writeFile(file('audit.jsonl'), lines(31, 40));
      for (const [from, to] of renames.slice(0, done)) await rename(file(from), file(to));
      if (done > renames.length) await writeFile(file('audit.jsonl'), '');

      const log = await openAuditLog(dir, silentLogger, opts);
      assert.deepEqual(await readAll(log), done === 0 ? range(1, 40) : range(11, 40), what);
      // The rotation this write needs (or the interrupted one's end) fills the free number
      // instead of dropping a second file.
      await log.write(entry(what));
      assert.deepEqual(await readAll(log), range(11, 41), what);
      assert.deepEqual((await onDisk(dir, keep)).present, names(keep).sort(), what);
      // On through more rotations: still continuous, still bounded.
      for (let i = 0; i < 25; i++) await log.write(entry('more'));
      const disk = await onDisk(dir, keep);
      assertContinuous(disk.seqs, 66, what);
      assert.deepEqual(await readPaged(log, 4), disk.seqs, what);
      assert.ok(disk.bytes <= (keep + 1) * opts.maxBytes!, `${what}: ${disk.bytes} bytes`);
      await log.close();
    } finally {
      await cleanup();
    }
  }
});

test('audit log fuzz: random record sizes and limits, restarts, torn appends and crashed rotations (seeded)', async () => {
  const alphabet = ['a', 'Z', ' ', '"', '\\', '\n', 'é', '€', '😀', '\u0001'];
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const rand = prng(seed);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    const keep = int(1, 5);
    const maxBytes = int(100, 4000);
    const opts: AuditLogOptions = { maxBytes, keep };
    const what = `seed ${seed} (keep ${keep}, maxBytes ${maxBytes})`;
    const { dir, cleanup } = await tempDir('audit-fuzz');
    const file = (i: number) => join(dir, 'audit', names(keep)[i]!);
    let log = await openAuditLog(dir, silentLogger, opts);
    try {
      let last = 0;
      let longest = 0;
      for (let op = 0; op < 150; op++) {
        const detail = Array.from({ length: int(0, rand() < 0.1 ? 600 : 80) }, () => alphabet[int(0, alphabet.length - 1)]).join('');
        await log.write(entry(detail));
        last++;
        for await (const rec of log.read(last - 1, 1)) {
          assert.equal(rec.seq, last, what);
          longest = Math.max(longest, Buffer.byteLength(`${JSON.stringify(rec)}\n`));
        }

        const r = rand();
        if (r < 0.15) {
          const before = await readAll(log);
          let expected = before;
          await log.close();
          const text = await readFile(file(0), 'utf8');
          if (r < 0.05) {
            // Power cut mid-append: the last record's line is cut short (it was never acknowledged).
            const lastLine = Buffer.byteLength(text.slice(text.lastIndexOf('\n', text.length - 2) + 1));
            await truncate(file(0), Buffer.byteLength(text) - int(1, lastLine - 1));
            last--;
            expected = before.slice(0, -1);
          } else if (r < 0.1) {
            // Power cut inside a rotation: some of its renames done, as the log does them.
            let free = 1;
            while (free < keep && (await stat(file(free)).then(() => true, () => false))) free++;
            // The first rename drops audit.KEEP when no number is free.
            const dropped = new Set(free === keep ? await seqsIn(file(keep)) : []);
            expected = before.filter((s) => !dropped.has(s));
            for (const i of range(1, free).reverse().slice(0, int(1, free))) await rename(file(i - 1), file(i)).catch(() => {});
          }
          log = await openAuditLog(dir, silentLogger, opts);
          assert.deepEqual(await readAll(log), expected, `${what}: after a restart at op ${op}`);
        }

        if (op % 10 === 9 || r < 0.15) {
          const disk = await onDisk(dir, keep);
          assert.ok(disk.present.every((n) => names(keep).includes(n)), `${what}: ${disk.present.join(' ')}`);
          assert.ok(disk.bytes <= (keep + 1) * Math.max(maxBytes, longest), `${what}: ${disk.bytes} bytes after op ${op}`);
          if (last === 0) assert.deepEqual(disk.seqs, [], what);
          else assertContinuous(disk.seqs, last, what);
          assert.deepEqual(await readAll(log), disk.seqs, what);
          assert.deepEqual(await readPaged(log, int(1, 20)), disk.seqs, what);
        }
      }
    } finally {
      await log.close();
      await cleanup();
    }
  }
});
