import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import CRC32 from 'crc-32';
import { decodeSessionHeader, readSessionChunk, ChunkType } from '@pitwall/protocol';
import { seededRandom } from '../../../../device-firmware-ts/src/hal/sim/seeded-random.js';
import { hostileSession, SESSION_MUTATIONS } from '../../../../testbed/hostile-documents.js';
import { integrityCheck, openDatabase } from '../../../src/store/database.js';
import { openSessionDecoder, type SessionDecoder } from '../../../src/sessions/session-decoder.js';
import { SessionStore } from '../../../src/sessions/session-store.js';
import { syncSessions } from '../../../src/sessions/session-sync.js';
import { fakeSource, startFakeSessionUnit } from '../../helpers/fake-session-unit.js';
import { makeSession, SYNTH_TRACK, type MadeSession } from '../../helpers/session-files.js';
import { scratchDir } from '../../helpers/units.js';

/**
 * The sync decodes on a thread of its own (session-decoder.ts). What it must keep: a thread
 * that dies leaves no half-written session and a sentence, and the next sync stores it; a
 * hostile unit's corrupt blocks are refused or stored, never the end of the thread.
 */
const scratch = scratchDir('sessions-decoder-thread');
let a: MadeSession;

before(async () => {
  a = await makeSession(scratch.dir, { unitId: 'unit-a', sessionId: 's-a1', durationS: 400, seed: 3 });
});
after(() => scratch.cleanup());

function newStore(tag: string) {
  const db = openDatabase(join(scratch.dir, tag));
  return { db, store: new SessionStore(db, () => [SYNTH_TRACK]) };
}

const count = (db: ReturnType<typeof openDatabase>, sql: string) => (db.prepare(sql).get() as { n: number }).n;
const sessions = (db: ReturnType<typeof openDatabase>) => count(db, 'SELECT COUNT(*) AS n FROM sessions');
const incomplete = (db: ReturnType<typeof openDatabase>) => count(db, 'SELECT COUNT(*) AS n FROM sessions WHERE complete = 0');
const fixes = (db: ReturnType<typeof openDatabase>) => count(db, 'SELECT COUNT(*) AS n FROM session_fixes');
const imu = (db: ReturnType<typeof openDatabase>) => count(db, 'SELECT COALESCE(SUM(n), 0) AS n FROM session_imu_blocks');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the decoder thread dies in the middle of a session: a sentence, nothing of the session stored or confirmed, and the next sync stores it', async () => {
  const unit = await startFakeSessionUnit('unit-a', [a]);
  const { db, store } = newStore('killed');
  const real = openSessionDecoder();
  const seen = { killed: false, incompleteRows: 0, fixRows: 0 };
  // Half way through the file, once the session's first rows are in the store, the thread is ended (as a crash ends it).
  const dying: SessionDecoder = {
    ...real,
    push(job, offset, bytes) {
      if (seen.killed || offset < a.sizeB / 2) return real.push(job, offset, bytes);
      seen.killed = true;
      return (async () => {
        for (let i = 0; i < 400 && (incomplete(db) === 0 || fixes(db) === 0); i++) await sleep(25);
        seen.incompleteRows = incomplete(db);
        seen.fixRows = fixes(db);
        await real.terminate();
        await real.push(job, offset, bytes);
      })().catch(() => undefined);
    },
  };
  try {
    const first = await syncSessions([fakeSource('unit-a', 'Car 7', unit.port)], { store, partialDir: join(scratch.dir, 'killed', 'p'), decoder: dying });
    assert.ok(seen.killed);
    assert.equal(seen.incompleteRows, 1, 'the session had begun in the store when the thread died');
    assert.ok(seen.fixRows > 0, 'with rows');
    assert.deepEqual([first.fetched, first.units[0]!.failed], [0, 1], JSON.stringify(first));
    assert.match(first.units[0]!.error ?? '', /^session s-a1: the session decoder thread stopped \(exit code \d+\): the session was not stored; the next sync fetches it again$/);
    assert.deepEqual([sessions(db), fixes(db), imu(db)], [0, 0, 0], 'no half-written session');
    assert.equal(unit.confirmed.size, 0, 'not confirmed');
    assert.deepEqual(integrityCheck(db), ['ok']);

    const second = await syncSessions([fakeSource('unit-a', 'Car 7', unit.port)], { store, partialDir: join(scratch.dir, 'killed', 'p') });
    assert.equal(second.fetched, 1, JSON.stringify(second));
    const [s] = store.list();
    assert.deepEqual([s!.sha256, s!.fixes, s!.imuSamples, fixes(db), imu(db), incomplete(db)], [a.sha256, 400 * 25 + 1, 400 * 100, 400 * 25 + 1, 400 * 100, 0]);
    const laps = store.laps(s!.id);
    assert.equal(laps.length, a.unitLapsMs.length);
    laps.forEach((l, i) => assert.ok(Math.abs(l.timeMs - a.unitLapsMs[i]!) <= 1, `lap ${i + 1}`));
    assert.ok(unit.confirmed.has('s-a1'));
  } finally {
    await real.close();
    await unit.close();
    db.close();
  }
});

/** The session file with the payload of some of its IMU chunks replaced by seeded garbage, each CRC made to match. */
function garbageImuBlocks(bytes: Buffer, rand: () => number, every: number): Buffer {
  const out = Buffer.from(bytes);
  let at = decodeSessionHeader(out).length;
  for (let n = 0; ; n++) {
    const chunk = readSessionChunk(out, at);
    if (chunk === 'incomplete' || chunk === 'bad') break;
    if (chunk.type === ChunkType.imu && n % every === 0) {
      const start = chunk.end - chunk.payload.length - 4;
      for (let i = start; i < chunk.end - 4; i++) if (rand() < 0.3) out[i] = Math.floor(rand() * 256);
      out.writeUInt32BE(CRC32.buf(out.subarray(at + 2, chunk.end - 4)) >>> 0, chunk.end - 4);
    }
    at = chunk.end;
  }
  return out;
}

test('a hostile unit: corrupt blocks and mangled files go through the decoder thread, each stored or refused with a sentence; the thread lives on and the clean session beside them is stored', async () => {
  const rand = seededRandom(20_261_207);
  const clean = await makeSession(scratch.dir, { unitId: 'unit-h', sessionId: 's-clean', durationS: 200, seed: 8 });
  const served: MadeSession[] = [clean];
  const add = (id: string, bytes: Buffer, listed?: { sizeB: number; sha256: string }) => {
    const path = join(scratch.dir, `${id}.pwsf`);
    writeFileSync(path, bytes);
    served.push({ path, sessionId: id, sha256: listed?.sha256 ?? createHash('sha256').update(bytes).digest('hex'), sizeB: listed?.sizeB ?? bytes.length, unitLapsMs: [] });
  };
  // A real session's IMU blocks filled with garbage (CRCs right: only the decoder can tell).
  for (let i = 0; i < 4; i++) {
    const made = await makeSession(scratch.dir, { unitId: 'unit-h', sessionId: `s-imu-${i}`, durationS: 60, seed: 20 + i });
    add(made.sessionId, garbageImuBlocks(readFileSync(made.path), rand, 1 + i));
  }
  // And the hostile unit's mutations of a small file (bad UTF-8, wrong types, bit flips, torn, another unit's, cut, oversize).
  for (const mutation of SESSION_MUTATIONS.filter((m) => m !== 'listed-huge' && m !== 'drip')) {
    const h = hostileSession('unit-h', mutation, rand);
    add(h.id, h.bytes, { sizeB: h.sizeB, sha256: h.sha256 });
  }
  const unit = await startFakeSessionUnit('unit-h', served);
  const { db, store } = newStore('hostile');
  const decoder = openSessionDecoder();
  const errors: string[] = [];
  try {
    const report = await syncSessions([fakeSource('unit-h', 'Hostile', unit.port)], {
      store,
      partialDir: join(scratch.dir, 'hostile', 'p'),
      retryDelayMs: 1,
      decoder,
      log: (m) => errors.push(m),
    });
    const line = report.units[0]!;
    assert.equal(line.fetched + line.failed, served.length, JSON.stringify(report));
    assert.equal(errors.length, line.failed);
    assert.ok(line.failed >= 4, `refused: ${errors.join('\n')}`);
    for (const e of errors) {
      assert.match(e, /^sync Hostile [\w-]+: \S.{20,}$/, 'a sentence');
      assert.doesNotMatch(e, /TypeError|RangeError|Cannot read|is not a function|undefined|out of range|DataCloneError/, e);
    }
    assert.equal(decoder.started(), 1, 'one thread for the whole sync: none died');
    const stored = store.list();
    const cleanRow = stored.find((s) => s.sessionId === 's-clean');
    assert.ok(cleanRow, `the clean session is stored: ${errors.join('\n')}`);
    assert.deepEqual([cleanRow.fixes, cleanRow.imuSamples], [200 * 25 + 1, 200 * 100]);
    // What was stored is exactly what was confirmed, and all of it complete.
    assert.deepEqual(stored.map((s) => s.sessionId).sort(), [...unit.confirmed].sort());
    assert.equal(incomplete(db), 0, 'no incomplete session left');
    assert.deepEqual(integrityCheck(db), ['ok']);
    // The same thread still decodes: a second sync through it finds nothing new and nothing broken.
    const again = await syncSessions([fakeSource('unit-h', 'Hostile', unit.port)], { store, partialDir: join(scratch.dir, 'hostile', 'p'), retryDelayMs: 1, decoder });
    assert.equal(again.units[0]!.failed, line.failed);
    assert.equal(decoder.started(), 1);
  } finally {
    await decoder.close();
    await unit.close();
    db.close();
  }
});

test('the decoder thread itself, fed seeded hostile files in random pieces with gaps: every answer is a session, a null or a refusal with a reason, and the thread never dies', async () => {
  const rand = seededRandom(20_261_208);
  const decoder = openSessionDecoder();
  const verdicts = new Map<string, number>();
  try {
    for (let i = 0; i < 240; i++) {
      const mutation = SESSION_MUTATIONS[i % SESSION_MUTATIONS.length]!;
      const h = hostileSession('unit-z', mutation, rand);
      const header = (() => {
        try {
          return decodeSessionHeader(h.bytes).header;
        } catch {
          return null;
        }
      })();
      const job = i + 1;
      const rows: number[] = [];
      await decoder.open(job, { unitId: 'unit-z', sessionId: header?.sessionId ?? h.id, tracks: [SYNTH_TRACK], onRows: (r) => void rows.push(r.fixes.length) });
      let offset = 0;
      for (let at = 0; at < h.bytes.length; ) {
        const n = 1 + Math.floor(rand() * 300);
        // Now and then a piece is skipped: a gap must spoil the stream, not confuse it.
        if (rand() < 0.03) offset += n;
        await decoder.push(job, offset, h.bytes.subarray(at, at + n));
        offset += Math.min(n, h.bytes.length - at);
        at += n;
      }
      const streamed = await decoder.end(job, h.bytes.length);
      const path = join(scratch.dir, `fuzz-${i}.pwsf`);
      writeFileSync(path, h.bytes);
      const whole = await decoder.whole(job, path).then(
        (w) => `decoded ${w.session.fixes}`,
        (err: Error) => {
          assert.equal(err.constructor, Error, `${mutation} #${i}: ${err.stack}`);
          assert.ok(err.message.length > 10, 'a reason');
          return 'refused';
        },
      );
      if (streamed) assert.equal(whole, `decoded ${streamed.session.fixes}`, `${mutation} #${i}: what the stream vouches for, the whole file gives`);
      decoder.forget(job);
      const v = `${mutation} ${streamed ? 'streamed' : 'not-streamed'} ${whole.split(' ')[0]}`;
      verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
    }
    assert.equal(decoder.started(), 1, 'the thread never died');
    assert.ok((verdicts.get('clean streamed decoded') ?? 0) > 0 && [...verdicts.keys()].some((k) => k.endsWith('refused')), JSON.stringify([...verdicts]));
    assert.equal(await decoder.verifiedPrefix(join(scratch.dir, 'fuzz-0.pwsf')), readFileSync(join(scratch.dir, 'fuzz-0.pwsf')).length, 'a clean file is trusted whole');
  } finally {
    await decoder.close();
  }
});

test('back-pressure: while the store is behind, the decoder takes no more than its bound of bytes, and takes more once the store catches up', async () => {
  const bytes = readFileSync(a.path);
  const bound = 16 * 1024;
  const decoder = openSessionDecoder({ inflightBytes: bound });
  // The store is behind: no rows are taken until it is released.
  let release!: () => void;
  const behind = new Promise<void>((r) => (release = r));
  let rowsSeen = 0;
  await decoder.open(1, { unitId: 'unit-a', sessionId: 's-a1', tracks: [SYNTH_TRACK], onRows: () => (rowsSeen++, behind) });
  try {
    const piece = 2 * 1024;
    let offset = 0;
    let held: Promise<void> | void = undefined;
    // Pushed as a download would, until the decoder says wait while the store has rows it did
    // not take (a wait for the thread's decoding alone ends by itself, however loaded the machine).
    let stuck = false;
    while (offset < bytes.length && !stuck) {
      held = decoder.push(1, offset, bytes.subarray(offset, offset + piece));
      offset += Math.min(piece, bytes.length - offset);
      while (held && !stuck) {
        const waited = await Promise.race([held.then(() => 'went on'), sleep(1000).then(() => 'held')]);
        if (waited === 'went on') held = undefined;
        else stuck = rowsSeen > 0;
      }
    }
    assert.ok(bytes.length > bound * 4 && offset < bytes.length, `the decoder said wait before the file ended (${offset} of ${bytes.length} bytes, ${rowsSeen} rows)`);
    assert.ok(rowsSeen > 0, 'rows reached the store, which did not take them');
    // The store is not behind before its first rows (5000 samples, some 40 KB of this file); after them, at most the bound.
    assert.ok(offset <= bytes.length / 4, `held after ${offset} bytes (bound ${bound})`);
    // The store catches up: the download goes on to the end, and the stream is the whole session.
    release();
    await held;
    while (offset < bytes.length) {
      await decoder.push(1, offset, bytes.subarray(offset, offset + piece));
      offset += Math.min(piece, bytes.length - offset);
    }
    const done = await decoder.end(1, bytes.length);
    assert.deepEqual([done?.session.fixes, done?.session.imu], [400 * 25 + 1, 400 * 100]);
  } finally {
    await decoder.close();
  }
});

test('a long track list goes to the thread in parts: a session is timed on the layout in its last part, as on its own', async () => {
  const bytes = readFileSync(a.path);
  // Twenty layouts far from the drive first, the driven one last (the thread gets eight per message).
  const away = (p: { lat: number; lon: number }, i: number) => ({ ...p, lat: p.lat + 10 + i });
  const far = Array.from({ length: 20 }, (_, i) => ({
    ...SYNTH_TRACK,
    id: `far-${i}`,
    startFinish: { a: away(SYNTH_TRACK.startFinish.a, i), b: away(SYNTH_TRACK.startFinish.b, i) },
    sectors: (SYNTH_TRACK.sectors ?? []).map((g) => ({ a: away(g.a, i), b: away(g.b, i) })),
  }));
  const decoder = openSessionDecoder();
  try {
    const timed = [];
    for (const [job, tracks] of [[1, [...far, SYNTH_TRACK]], [2, [SYNTH_TRACK]]] as const) {
      await decoder.open(job, { unitId: 'unit-a', sessionId: 's-a1', tracks, onRows: () => undefined });
      for (let at = 0; at < bytes.length; at += 64 * 1024) await decoder.push(job, at, bytes.subarray(at, at + 64 * 1024));
      timed.push((await decoder.end(job, bytes.length))!.laps);
    }
    assert.equal(timed[0]!.trackId, SYNTH_TRACK.id);
    assert.deepEqual(timed[0], timed[1]);
    assert.equal(timed[0]!.laps.length, a.unitLapsMs.length);
  } finally {
    await decoder.close();
  }
});
