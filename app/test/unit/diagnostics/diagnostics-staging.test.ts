import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { logRecord } from '@pitwall/protocol';
import { makeRecord } from '../../../../testbed/fake-diagnostics-unit.js';
import { DiagnosticsStore } from '../../../src/diagnostics/diagnostics-store.js';
import { InlineIngester, WorkerIngester, type Ingester } from '../../../src/diagnostics/ingester.js';
import { LogWriter } from '../../../src/diagnostics/log-writer.js';
import { storeWriter } from '../../../src/store/store-writer.js';
import { BootStager, MAX_LINE, stagingPath } from '../../../src/diagnostics/log-staging.js';
import { redactText } from '../../../src/diagnostics/redact.js';
import { frameHeader, StagingReader, StagingWriter, type Frame } from '../../../src/diagnostics/staging-file.js';
import { pullUnit, type PullOptions } from '../../../src/diagnostics/unit-pull.js';
import type { DiagnosticsSource } from '../../../src/diagnostics/unit-source.js';
import { integrityCheck, openDatabase, type Db } from '../../../src/store/database.js';
import { ArraySource, writeStaging, type FakeBootData, type SourceLine } from '../../helpers/staged-source.js';
import { scratchDir } from '../../helpers/units.js';
import { seededRandom } from '../../../../protocol/test/seeded-random.js';

/**
 * The staged pull: transfer into a checksummed staging file, confirm once it is synced, ingest
 * from it. A file left by a killed companion (torn tail, bad checksum, bad header) resumes with
 * no duplicate and no silent gap; bad input from the unit is rejected record by record.
 */
const scratch = scratchDir('diag-staging');
after(() => scratch.cleanup());
const UNIT = randomUUID();
const T0 = Date.parse('2026-05-01T10:00:00.000Z');

function bootOf(count: number, first = 1): FakeBootData {
  const boot = randomUUID();
  const lines: SourceLine[] = [];
  for (let s = first; s < first + count; s++) lines.push({ seq: s, text: JSON.stringify(makeRecord(UNIT, boot, s, T0)) });
  return { boot, startedAt: new Date(T0).toISOString(), lines, confirmedSeq: 0 };
}

function setup(tag: string): { db: Db; store: DiagnosticsStore; dir: string; ingester: Ingester } {
  const db = openDatabase(null);
  const store = new DiagnosticsStore(db);
  return { db, store, dir: join(scratch.dir, tag), ingester: new InlineIngester(new LogWriter(db)) };
}

function storedSeqs(db: Db, boot: string): number[] {
  return (db.prepare('SELECT seq FROM log_records WHERE unit_id = ? AND boot = ? ORDER BY seq').all(UNIT, boot) as { seq: number }[]).map((r) => r.seq);
}

/** Stored seqs and recorded gaps cover 1..stored_seq exactly once each: no duplicate, no silent gap. */
function assertCovered(db: Db, boot: string): number {
  const cursor = db.prepare('SELECT stored_seq AS s FROM log_cursors WHERE unit_id = ? AND boot = ?').get(UNIT, boot) as { s: number } | undefined;
  const upTo = cursor?.s ?? 0;
  const seen = new Map<number, number>();
  for (const s of storedSeqs(db, boot)) seen.set(s, (seen.get(s) ?? 0) + 1);
  for (const g of db.prepare('SELECT from_seq AS f, to_seq AS t FROM log_gaps WHERE unit_id = ? AND boot = ?').all(UNIT, boot) as { f: number; t: number }[]) {
    for (let s = g.f; s <= g.t; s++) seen.set(s, (seen.get(s) ?? 0) + 1);
  }
  for (let s = 1; s <= upTo; s++) assert.equal(seen.get(s), 1, `seq ${s}: stored or a gap exactly once`);
  assert.ok([...seen.keys()].every((s) => s <= upTo), 'nothing above the cursor');
  return upTo;
}

function framesOf(path: string): Frame[] {
  const r = new StagingReader(path);
  const frames: Frame[] = [];
  try {
    for (let at = 0; ; ) {
      const f = r.read(at, Number.MAX_SAFE_INTEGER);
      if ('stop' in f) break;
      frames.push(f.frame);
      at = f.frame.end;
    }
  } finally {
    r.close();
  }
  return frames;
}

/** A staging file as a killed pull leaves it: records 1..450 of `b` in three frames of 150. */
async function leftover(dir: string, b: FakeBootData): Promise<string> {
  const path = stagingPath(dir, UNIT, b.boot, 0);
  const frame = (from: number, to: number) => ({ kind: 'lines' as const, payload: Buffer.from(b.lines.slice(from - 1, to).map((l) => `${l.text}\n`).join('')), lastSeq: to });
  await writeStaging(dir, path, { unit: UNIT, boot: b.boot, startedAt: b.startedAt, after: 0, lastSeq: 1000 }, [frame(1, 150), frame(151, 300), frame(301, 450)]);
  return path;
}

async function pull(s: ReturnType<typeof setup>, source: DiagnosticsSource, opts: PullOptions = {}) {
  const notes: string[] = [];
  const result = await pullUnit(s.store, { dir: s.dir, ingester: s.ingester }, source, UNIT, { frameBytes: 16 * 1024, onNote: (n) => notes.push(n), ...opts });
  return { result, notes };
}

test('a torn last frame left by a kill is left out and asked for again: every record once', async () => {
  const s = setup('torn');
  const b = bootOf(1000);
  const path = await leftover(s.dir, b);
  truncateSync(path, readFileSync(path).length - 100);
  const source = new ArraySource([b]);
  const { result, notes } = await pull(s, source);
  assert.equal(result.logs, 1000);
  assert.deepEqual(result.gaps, []);
  assert.equal(source.requests[0]!.after, 300, 'resumed after the last whole frame');
  assert.match(notes.join('\n'), /torn/);
  assert.deepEqual(storedSeqs(s.db, b.boot), Array.from({ length: 1000 }, (_, i) => i + 1));
  assert.equal(assertCovered(s.db, b.boot), 1000);
  assert.deepEqual(source.confirms, [{ boot: b.boot, seq: 1000 }]);
  assert.deepEqual(readdirSync(s.dir), [], 'staging file deleted once ingested');
  assert.deepEqual(integrityCheck(s.db), ['ok']);
});

test('a frame failing its checksum ends the reading there: the rest comes from the unit again', async () => {
  const s = setup('corrupt');
  const b = bootOf(1000);
  const path = await leftover(s.dir, b);
  const bytes = readFileSync(path);
  const second = framesOf(path)[2]!; // header, 1..150, 151..300
  bytes[second.offset + 20 + 40]! ^= 0x20;
  writeFileSync(path, bytes);
  const source = new ArraySource([b]);
  const { result, notes } = await pull(s, source);
  assert.equal(source.requests[0]!.after, 150);
  assert.match(notes.join('\n'), /checksum/);
  assert.equal(result.logs, 1000);
  assert.deepEqual(result.gaps, []);
  assert.equal(assertCovered(s.db, b.boot), 1000);
  assert.deepEqual(storedSeqs(s.db, b.boot).length, 1000);
});

test('staged records lost to corruption that the unit no longer holds are a reported gap', async () => {
  const s = setup('lost');
  const b = bootOf(1000);
  const path = await leftover(s.dir, b);
  const bytes = readFileSync(path);
  bytes[framesOf(path)[2]!.offset + 20 + 40]! ^= 0x20;
  writeFileSync(path, bytes);
  // The unit was told it could drop them, and did: it now starts at 400.
  const source = new ArraySource([{ ...b, lines: b.lines.filter((l) => l.seq >= 400), confirmedSeq: 450 }]);
  const { result } = await pull(s, source);
  assert.deepEqual(result.gaps.map((g) => [g.fromSeq, g.toSeq]), [[151, 399]]);
  assert.equal(result.logs, 150 + 601);
  assert.equal(assertCovered(s.db, b.boot), 1000);
});

test('a staging file without a valid header is dropped whole and everything is asked for again', async () => {
  const s = setup('header');
  const b = bootOf(500);
  const path = stagingPath(s.dir, UNIT, b.boot, 0);
  const bad = Buffer.from('{"unit":');
  const lines = Buffer.from(b.lines.map((l) => `${l.text}\n`).join(''));
  writeFileSync(path, Buffer.concat([frameHeader('header', bad, 0), bad, frameHeader('lines', lines, 500), lines]));
  const source = new ArraySource([b]);
  const { result, notes } = await pull(s, source);
  assert.match(notes.join('\n'), /header/);
  assert.equal(source.requests[0]!.after, 0);
  assert.equal(result.logs, 500);
  assert.equal(assertCovered(s.db, b.boot), 500);
});


/** What a correct pull stores from these lines: the first valid record of each new seq, in order. */
function expected(unit: string, boot: string, lines: SourceLine[], lastSeq: number): { seqs: Map<number, string>; gaps: [number, number][] } {
  const seqs = new Map<number, string>();
  const gaps: [number, number][] = [];
  let cursor = 0;
  for (const l of lines) {
    if (Buffer.byteLength(l.text) > MAX_LINE) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(l.text);
    } catch {
      continue;
    }
    if (!logRecord.is(rec) || rec.unit !== unit || rec.boot !== boot || rec.seq <= cursor) continue;
    if (rec.seq > cursor + 1) gaps.push([cursor + 1, rec.seq - 1]);
    seqs.set(rec.seq, redactText(rec.msg));
    cursor = rec.seq;
  }
  if (cursor < lastSeq) gaps.push([cursor + 1, lastSeq]);
  return { seqs, gaps };
}

/** What a faulty unit sends for one boot of N records (seeded): broken, foreign, repeated, missing, secret-bearing lines among good ones. */
function fuzzBoot(r: () => number, N = 3000): FakeBootData {
  const boot = randomUUID();
  const lines: SourceLine[] = [];
  for (let seq = 1; seq <= N; seq++) {
    const rec = makeRecord(UNIT, boot, seq, T0);
    const good = JSON.stringify(rec);
    const x = r();
    if (x < 0.55) lines.push({ seq, text: good });
    else if (x < 0.6) lines.push({ seq, text: good.slice(0, Math.floor(r() * good.length)) }); // cut JSON
    else if (x < 0.63) lines.push({ seq, text: String.fromCharCode(...Array.from({ length: 40 }, () => Math.floor(r() * 0x3000))) });
    else if (x < 0.66) lines.push({ seq, text: JSON.stringify({ ...rec, unit: randomUUID() }) });
    else if (x < 0.69) lines.push({ seq, text: JSON.stringify({ ...rec, boot: randomUUID() }) });
    else if (x < 0.72) lines.push({ seq, text: JSON.stringify({ ...rec, seq: String(seq) }) });
    else if (x < 0.74) lines.push({ seq, text: JSON.stringify({ ...rec, level: 'loud' }) });
    else if (x < 0.76) lines.push({ seq, text: `${good}\r` }); // CRLF: a valid record
    else if (x < 0.78) lines.push({ seq, text: '' }, { seq, text: good });
    else if (x < 0.8) lines.push({ seq, text: good }, { seq, text: good }); // sent twice
    else if (x < 0.82) lines.push({ seq, text: `${good}}{` });
    else if (x < 0.84) lines.push({ seq, text: JSON.stringify({ ...rec, msg: `wifi psk=${randomUUID()} \u{1F3CE} e\u0301 ✓`, token: 'abc' }) });
    else if (x < 0.86) continue; // never sent: a gap
    else if (x < 0.87 && seq > 5) lines.push({ seq, text: JSON.stringify(makeRecord(UNIT, boot, seq - 5, T0)) }); // an old seq again
    else lines.push({ seq, text: good });
    if (seq === 1500) lines.push({ seq, text: JSON.stringify({ ...rec, seq: 1501, msg: 'x'.repeat(MAX_LINE + 10) }) }); // too long to be a record
  }
  return { boot, startedAt: new Date(T0).toISOString(), lines, lastSeq: N, confirmedSeq: 0 };
}

test('fuzz: bad input from the unit is rejected record by record, never half-stored, never a silent gap', async () => {
  for (const seed of [1, 2, 3]) {
    const s = setup(`fuzz-${seed}`);
    const r = seededRandom(seed);
    const data = fuzzBoot(r);
    const { boot, lines } = data;
    const N = 3000;
    const source = new ArraySource([data], () => 1 + Math.floor(r() * 5000));
    const { result } = await pull(s, source, { frameBytes: 2048, requestLimit: 700 });
    const want = expected(UNIT, boot, lines, N);
    assert.ok(result.ok);
    const rows = s.db.prepare('SELECT seq, msg, unit_id AS u, boot FROM log_records ORDER BY seq').all() as { seq: number; msg: string; u: string; boot: string }[];
    assert.deepEqual(rows.map((x) => x.seq), [...want.seqs.keys()], `seed ${seed}: the valid records, each once`);
    for (const row of rows) assert.equal(row.msg, want.seqs.get(row.seq), `seed ${seed}: seq ${row.seq} stored as sent (redacted)`);
    assert.ok(rows.every((x) => x.u === UNIT && x.boot === boot));
    assert.ok(rows.every((x) => !/psk=[0-9a-f]{8}-/.test(x.msg)), 'secrets redacted');
    assert.deepEqual(result.gaps.map((g) => [g.fromSeq, g.toSeq]), want.gaps, `seed ${seed}: gaps reported`);
    assert.equal(assertCovered(s.db, boot), N);
    assert.equal(result.logs, rows.length);
    assert.deepEqual(source.confirms.at(-1), { boot, seq: N });
    const again = await pull(s, source);
    assert.equal(again.result.logs, 0, 'a second pull stores nothing');
    assert.deepEqual(readdirSync(s.dir), []);
  }
});

test('a connection that breaks mid-stream: the staged part is stored, nothing confirmed; the next pull completes', async () => {
  const s = setup('cut');
  const b = bootOf(4000);
  const source = new ArraySource([b], () => 3000);
  source.cutAfter = 500_000;
  await assert.rejects(pull(s, source), /broke/);
  const partial = storedSeqs(s.db, b.boot).length;
  assert.ok(partial > 0 && partial < 4000, `part stored (${partial})`);
  assertCovered(s.db, b.boot);
  assert.deepEqual(source.confirms, [], 'nothing confirmed');
  assert.deepEqual(readdirSync(s.dir), []);
  source.cutAfter = 0;
  const { result } = await pull(s, source);
  assert.equal(result.logs, 4000 - partial);
  assert.equal(source.requests.at(-1)!.after, partial);
  assert.equal(assertCovered(s.db, b.boot), 4000);
  assert.equal(storedSeqs(s.db, b.boot).length, 4000);
});

test('the store writer thread ingests into the database file, its parse thread at a lower priority than the main thread (Linux)', async () => {
  const dataDir = join(scratch.dir, 'worker');
  const db = openDatabase(dataDir);
  const store = new DiagnosticsStore(db);
  const ingester = new WorkerIngester(storeWriter(db));
  try {
    const b = bootOf(20_000);
    const source = new ArraySource([b]);
    const niceOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    const result = await pullUnit(store, { dir: join(dataDir, 'staging'), ingester }, source, UNIT, { frameBytes: 64 * 1024 });
    // The writer and the parse thread are still there (idle) until the ingester closes.
    const workerNice = process.platform === 'linux' ? readdirSync('/proc/self/task').map((t) => niceOf(readFileSync(`/proc/self/task/${t}/stat`, 'utf8'))) : [];
    assert.equal(result.logs, 20_000);
    assert.equal(assertCovered(db, b.boot), 20_000);
    assert.deepEqual(readdirSync(join(dataDir, 'staging')), []);
    assert.deepEqual(integrityCheck(db), ['ok']);
    const fts = (db.prepare("SELECT count(*) AS n FROM log_fts WHERE log_fts MATCH 'satellites'").get() as { n: number }).n;
    const direct = (db.prepare("SELECT count(*) AS n FROM log_records WHERE msg LIKE '%satellites%' OR extra LIKE '%satellites%'").get() as { n: number }).n;
    assert.equal(fts, direct, 'searchable: the full-text index matches the rows');
    const mainNice = process.platform === 'linux' ? niceOf(readFileSync('/proc/self/stat', 'utf8')) : 10;
    if (mainNice < 10) {
      // The parse thread (and a helper thread it starts, when run from sources) at 10; not the process.
      assert.ok(workerNice.includes(10), `the parse thread at nice 10: ${workerNice.join(',')}`);
      assert.ok(workerNice.filter((n) => n === mainNice).length >= 3, `the other threads keep theirs: ${workerNice.join(',')}`);
    }
  } finally {
    await ingester.close();
    db.close();
  }
});

test('the staged seq is found past long lines at the end of a frame (longer than the part of the frame looked at first)', async () => {
  const dir = join(scratch.dir, 'long-tail');
  const b = bootOf(3000);
  const long = (seq: number) => JSON.stringify(makeRecord(UNIT, b.boot, seq, T0, { note: 'y'.repeat(300 * 1024) }));
  const cases: { name: string; tail: string[]; want: number }[] = [
    { name: 'a record longer than 256 KiB last', tail: [long(3001)], want: 3001 },
    { name: 'junk longer than 256 KiB after the last record', tail: [JSON.stringify({ not: 'a record', pad: 'z'.repeat(300 * 1024) })], want: 3000 },
    { name: 'another boot’s long record after the last record', tail: [JSON.stringify(makeRecord(UNIT, randomUUID(), 9999, T0, { pad: 'q'.repeat(600 * 1024) }))], want: 3000 },
  ];
  for (const c of cases) {
    const path = stagingPath(dir, UNIT, b.boot, 0);
    const writer = await StagingWriter.create(path, { unit: UNIT, boot: b.boot, startedAt: b.startedAt, after: 0, lastSeq: 3001 }, () => undefined);
    const staged: number[] = [];
    const stager = new BootStager(writer, UNIT, b.boot, 0, (s) => staged.push(s), () => undefined, 4 * 1024 * 1024);
    const body = Buffer.from([...b.lines.map((l) => l.text), ...c.tail].map((l) => `${l}\n`).join(''));
    // Chunks of odd sizes, as a socket delivers them: lines span chunks.
    for (let at = 0; at < body.length; at += 16_381) await stager.push(body.subarray(at, at + 16_381));
    await stager.finish();
    await writer.close();
    assert.equal(stager.lastSeq, c.want, c.name);
    const lines = framesOf(path).filter((f) => f.kind === 'lines');
    assert.equal(Buffer.concat(lines.map((f) => f.payload)).toString('utf8'), body.toString('utf8'), `${c.name}: staged byte for byte`);
  }
});

test('fuzz: the worker ingest (a parse thread ahead of the store thread) stores exactly what the in-process ingest stores', async () => {
  for (const seed of [7, 8]) {
    const data = fuzzBoot(seededRandom(seed), 4000);
    const chunks = seededRandom(seed + 100);
    const inline = setup(`same-inline-${seed}`);
    const a = await pull(inline, new ArraySource([data], () => 1 + Math.floor(chunks() * 9000)), { frameBytes: 4096, requestLimit: 900 });
    const dataDir = join(scratch.dir, `same-worker-${seed}`);
    const db = openDatabase(dataDir);
    const logged: string[] = [];
    const ingester = new WorkerIngester(storeWriter(db), (m) => logged.push(m));
    try {
      const b = await pullUnit(new DiagnosticsStore(db), { dir: join(dataDir, 'staging'), ingester }, new ArraySource([data], () => 1 + Math.floor(chunks() * 9000)), UNIT, { frameBytes: 4096, requestLimit: 900 });
      assert.deepEqual({ ...b, gaps: b.gaps.map((g) => [g.fromSeq, g.toSeq]) }, { ...a.result, gaps: a.result.gaps.map((g) => [g.fromSeq, g.toSeq]) }, `seed ${seed}: the same result`);
      const rows = (d: Db) => d.prepare('SELECT seq, time_ms, level, subsystem, msg, fw, commit_sha, extra FROM log_records ORDER BY seq').all();
      assert.deepEqual(rows(db), rows(inline.db), `seed ${seed}: the same rows`);
      const gaps = (d: Db) => d.prepare('SELECT from_seq, to_seq FROM log_gaps ORDER BY from_seq').all();
      assert.deepEqual(gaps(db), gaps(inline.db), `seed ${seed}: the same gaps`);
      assert.ok(rows(db).length > 2000, 'most records stored');
      assert.deepEqual(integrityCheck(db), ['ok']);
      assert.deepEqual(logged, [], 'the parse thread ran (a failed one says so, and the frames are parsed on the store thread)');
    } finally {
      await ingester.close();
      db.close();
    }
  }
});

test('a unit that never stops sending: staging stops at the disk reserve with a clear error, nothing confirmed, what was staged is stored', async () => {
  const s = setup('endless');
  const boot = randomUUID();
  let sent = 0;
  const confirms: unknown[] = [];
  const endless: DiagnosticsSource = {
    boots: async () => [{ boot, startedAt: new Date(T0).toISOString(), firstSeq: 1, lastSeq: 1e9, confirmedSeq: 0 }],
    async logs(_boot, after, _limit, onData) {
      // Valid records without end, as a broken or hostile unit might send them.
      for (let seq = after + 1; ; seq += 200) {
        const chunk = Buffer.from(Array.from({ length: 200 }, (_, i) => `${JSON.stringify(makeRecord(UNIT, boot, seq + i, T0))}\n`).join(''));
        sent += chunk.length;
        const wait = onData(chunk);
        if (wait) await wait;
      }
    },
    confirmLogs: async (b, seq) => void confirms.push({ b, seq }),
    health: async () => [],
    crashes: async () => [],
    crash: async () => {
      throw new Error('no crashes');
    },
    confirmCrashes: async () => undefined,
    auditLog: async () => null,
  };
  const MiB = 1024 * 1024;
  // A disk with 100 MiB free before the pull, filling as the staging folder grows.
  const freeBytes = async (dir: string) => 100 * MiB - readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  await assert.rejects(pull(s, endless, { frameBytes: 256 * 1024, disk: { minFreeBytes: 60 * MiB, freeBytes } }), /the companion's disk is too full for more staged log records \(\d+ MB; \d+ MB free, 60 MB kept free\)/);
  assert.deepEqual(confirms, [], 'nothing confirmed');
  assert.ok(sent < 128 * MiB, `the transfer stopped soon after: ${Math.round(sent / MiB)} MiB sent`);
  const stored = storedSeqs(s.db, boot);
  assert.ok(stored.length > 100_000, `the staged records are stored: ${stored.length}`);
  assert.deepEqual(stored, stored.map((_, i) => i + 1), 'from seq 1, without a hole');
  assert.deepEqual(readdirSync(s.dir), [], 'the staging file is gone once stored');
});
