import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { emptyBook, putTrack, type TrackDefinition } from '@pitwall/protocol';
import { catalog } from '../../../../protocol/test/helpers/catalog-file.js';
import { openDatabase as openHubDatabase, type HubDatabase } from '../../../../hub/src/db/open-database.js';
import { loadHubSigningKey } from '../../../../hub/src/hub-signing-key.js';
import { addMember, createOrganisation } from '../../../../hub/src/organisations/members.js';
import { buildHubServer } from '../../../../hub/src/server.js';
import { hubKey } from '../../../src/hub/pull-cursors.js';
import { OwnTracks } from '../../../src/sessions/own-tracks.js';
import { syncTrackRegistry } from '../../../src/sessions/track-registry-sync.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { storeWriter } from '../../../src/store/store-writer.js';

// The registry pull's cursor: a second sync with nothing new sends no book and pulls nothing;
// an edit elsewhere comes as that one entry; a reset, and a hub behind the cursor, pull all; the
// laptops still end with the same book.
const dir = mkdtempSync(join(tmpdir(), 'pitwall-registry-cursor-'));
let hubDb: HubDatabase;
let app: FastifyInstance;
let url: string;
const tokens: string[] = [];
const stores: Db[] = [];

before(async () => {
  hubDb = await openHubDatabase({ kind: 'sqlite', file: join(dir, 'hub.sqlite') });
  app = buildHubServer({ db: hubDb.db, key: await loadHubSigningKey(join(dir, 'hub-key.pem')) });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  const academy = await createOrganisation(hubDb.db, 'Academy', 'academy');
  for (const n of ['Ana', 'Ben']) tokens.push((await addMember(hubDb.db, academy, n, 'member')).token);
});
after(async () => {
  for (const s of stores) s.close();
  await app.close();
  await hubDb.close();
  rmSync(dir, { recursive: true, force: true });
});

/** fetch, counting the bytes of every request body and answer. */
function countingFetch(): { fetch: typeof fetch; bytes: () => number } {
  let bytes = 0;
  return {
    bytes: () => bytes,
    fetch: async (input, init) => {
      bytes += typeof init?.body === 'string' ? Buffer.byteLength(init.body) : 0;
      const res = await fetch(input, init);
      const text = await res.text();
      bytes += Buffer.byteLength(text);
      return new Response(text, { status: res.status, headers: res.headers });
    },
  };
}

test('a second sync with nothing new transfers almost nothing; changes elsewhere come alone; reset and a hub behind the cursor pull all', async (t) => {
  const outlined = catalog().filter((t): t is TrackDefinition & { outline: [number, number][] } => !!t.outline && t.outline.length > 50);
  const [t1, t2, t3] = outlined;
  const at = { ms: Date.now() - 60_000, n: 0, node: 'laptop-seed' };
  let seed = emptyBook();
  for (const [key, t] of [['own-a', t1!], ['own-b', t2!], ['own-c', t3!]] as const) {
    seed = putTrack(seed, key, { geometry: { startFinish: t.startFinish, lengthM: t.lengthM, outline: t.outline }, name: t.layout, sectors: [] }, at);
  }
  const laptop = () => {
    const db = openDatabase(null);
    stores.push(db);
    return { db, own: new OwnTracks(db) };
  };
  const a = laptop();
  const b = laptop();
  a.own.merge(seed);
  const sync = async (l: { db: Db; own: OwnTracks }, token: string, reset = false) => {
    const f = countingFetch();
    const report = await syncTrackRegistry(l.own, url, token, f.fetch, { db: l.db, reset });
    return { report, bytes: f.bytes() };
  };

  const first = await sync(a, tokens[0]!);
  assert.equal(first.report.pushSkipped, false);
  assert.equal(first.report.pulledAfter, 0);
  assert.equal(first.report.pulled, 3);
  const second = await sync(a, tokens[0]!);
  assert.equal(second.report.pushSkipped, true, 'the book did not change: not sent');
  assert.equal(second.report.pulled, 0);
  assert.deepEqual(second.report.changes, []);
  assert.ok(second.bytes * 50 < first.bytes, `second sync ${second.bytes} B against the first ${first.bytes} B`);
  assert.ok(second.bytes < 200, `${second.bytes} B: one empty page`);
  t.diagnostic(`bytes transferred: first sync ${first.bytes}, second sync ${second.bytes}`);

  // Ben's laptop gets it all on its first sync, renames one track, syncs: Ana's next sync pulls that one entry.
  assert.equal((await sync(b, tokens[1]!)).report.pulled, 3);
  b.own.book.rename('own-b', 'Renamed on B');
  await sync(b, tokens[1]!);
  const third = await sync(a, tokens[0]!);
  assert.equal(third.report.pushSkipped, true);
  assert.equal(third.report.pulled, 1);
  assert.deepEqual(third.report.changes.map((c) => [c.key, c.field, c.to]), [['own-b', 'name', 'Renamed on B']]);
  assert.ok(third.bytes < first.bytes / 2);
  await sync(b, tokens[1]!);
  assert.deepEqual(a.own.book.load().book, b.own.book.load().book, 'both laptops hold the same book');

  // A reset pushes and pulls it all; a cursor past the hub's version (a hub started afresh) pulls all too.
  const reset = await sync(a, tokens[0]!, true);
  assert.deepEqual([reset.report.pushSkipped, reset.report.pulledAfter, reset.report.pulled], [false, 0, 3]);
  storeWriter(a.db).run('hub.setCursor', hubKey(url), 'tracks', 999_999, null);
  const behind = await sync(a, tokens[0]!);
  assert.deepEqual([behind.report.pushSkipped, behind.report.pulledAfter, behind.report.pulled], [false, 0, 3]);
  assert.deepEqual(behind.report.changes, [], 'nothing new: the merge is idempotent');
  assert.deepEqual(a.own.book.load().book, b.own.book.load().book);
});
