import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  HubRoutes, editTrack, emptyBook, mergeBooks, putTrack, trackSignature, REGISTRY_PUSH_MAX_B,
  type Hlc, type RegistryTrackPull, type RegistryTrackPushResult, type TrackBook, type TrackDefinition, type TrackGeometry,
} from '@pitwall/protocol';
import { catalog } from '../../../../protocol/test/helpers/catalog-file.js';
import { seededRandom } from '../../../../protocol/test/seeded-random.js';
import { addMember } from '../../../src/organisations/members.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';

const tracks = catalog();
const sonoma = tracks.find((t) => t.id === 'sonoma-raceway-sonoma-race')!;
const other = tracks.find((t) => t.outline && t.id !== sonoma.id && !t.venue.includes('Sonoma'))!;
const geometryOf = (t: TrackDefinition): TrackGeometry => ({ startFinish: t.startFinish, lengthM: t.lengthM, outline: t.outline! });
const T0 = Date.now() - 3_600_000;
const stamp = (node: string, dMs: number, n = 0): Hlc => ({ ms: T0 + dMs, n, node });

/** The same track drawn again: every outline point moved by up to a metre (seeded). */
function redrawn(g: TrackGeometry, seed: number): TrackGeometry {
  const rand = seededRandom(seed);
  return { ...g, outline: g.outline.map(([lat, lon]) => [lat + (rand() - 0.5) * 1.8e-5, lon + (rand() - 0.5) * 2.4e-5] as [number, number]) };
}

const push = (app: FastifyInstance, token: string, laptop: string, book: TrackBook | unknown) =>
  app.inject({ method: 'POST', url: HubRoutes.registryPush.path, headers: { authorization: `Bearer ${token}` }, payload: { laptop, book } as object });

async function pullAll(app: FastifyInstance, token: string, limit = 1): Promise<{ book: TrackBook; ids: Record<string, string>; pages: number; last: RegistryTrackPull['entries'] }> {
  const book = emptyBook();
  const ids: Record<string, string> = {};
  const last: RegistryTrackPull['entries'] = [];
  let after = 0;
  let pages = 0;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `${HubRoutes.registryPull.path}?after=${after}&limit=${limit}`, headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json() as RegistryTrackPull;
    pages++;
    for (const e of page.entries) {
      book.tracks[e.key] = e.track;
      ids[e.key] = e.id;
      last.push(e);
    }
    for (const g of page.groups) book.groups[g.key] = g.group;
    if (page.next === null) return { book, ids, pages, last };
    after = page.next;
  }
}

for (const kind of DATABASE_KINDS) {
  describe(`track registry (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    let ben: string;
    let stranger: string;
    before(async () => {
      f = await hubFixture(dbs);
      ben = (await addMember(f.hubDb.db, f.academyId, 'Ben Coach', 'member')).token;
      stranger = (await addMember(f.hubDb.db, f.otherAcademyId, 'Sam South', 'member')).token;
    });
    after(() => dbs.close());

    test('two laptops edit one track offline, push in either order: one book, the ids the hub computed, versions and who made them', async () => {
      // Laptop A draws the track; laptop B has it from A's book (a file, or an earlier sync).
      const drawn = putTrack(emptyBook(), 'own-a1', { geometry: geometryOf(sonoma), name: 'Sonoma', sectors: [] }, stamp('laptop-a', 0));
      const onA = editTrack(drawn, 'own-a1', { field: 'name', value: 'Sonoma Raceway' }, stamp('laptop-a', 2000));
      const onB = editTrack(drawn, 'own-a1', { field: 'sectors', value: [other.startFinish] }, stamp('laptop-b', 1000));
      // B also drew the same track itself, a metre off here and there: another key, the same registry id.
      const bOwn = putTrack(onB, 'own-b1', { geometry: redrawn(geometryOf(sonoma), 7), name: 'Sears Point', sectors: [] }, stamp('laptop-b', 1500));

      const first = await push(f.app, f.academyToken, 'laptop-a', onA);
      assert.equal(first.statusCode, 200, first.body);
      const r1 = first.json() as RegistryTrackPushResult;
      assert.deepEqual(r1.tracks.map((t) => [t.key, t.outcome, t.registryId]), [['own-a1', 'registered', trackSignature(sonoma)!.id]]);
      const second = await push(f.app, ben, 'laptop-b', bOwn);
      assert.equal(second.statusCode, 200, second.body);
      const r2 = second.json() as RegistryTrackPushResult;
      assert.deepEqual(r2.tracks.map((t) => [t.key, t.outcome]), [['own-a1', 'merged'], ['own-b1', 'registered']]);
      assert.equal(new Set(r2.tracks.map((t) => t.registryId)).size, 1, 'the redrawn track resolves to the same registry id');

      const pulled = await pullAll(f.app, ben);
      assert.ok(pulled.pages >= 2, 'paged');
      assert.deepEqual(pulled.book, mergeBooks(onA, bOwn), "the registry's book is the laptops' merge");
      assert.equal(pulled.book.tracks['own-a1']!.name.value, 'Sonoma Raceway');
      assert.equal(pulled.book.tracks['own-a1']!.sectors.value.length, 1);
      const entry = pulled.last.find((e) => e.key === 'own-a1')!;
      assert.deepEqual(entry.history.map((h) => [h.author, h.laptop, h.fields]), [['Ben Coach', 'laptop-b', ['sectors']], ['Ada Admin', 'laptop-a', ['geometry', 'name', 'sectors']]]);
      assert.equal(entry.signature.id, trackSignature(sonoma)!.id, "the signature is the hub's own");

      // The same pushes into a fresh organisation in the other order: the same book and ids.
      const otherOrder = await hubFixture(dbs);
      const ben2 = (await addMember(otherOrder.hubDb.db, otherOrder.academyId, 'Ben Coach', 'member')).token;
      assert.equal((await push(otherOrder.app, ben2, 'laptop-b', bOwn)).statusCode, 200);
      assert.equal((await push(otherOrder.app, otherOrder.academyToken, 'laptop-a', onA)).statusCode, 200);
      const again = await pullAll(otherOrder.app, ben2, 200);
      assert.deepEqual(again.book, pulled.book);
      assert.deepEqual(again.ids, pulled.ids);

      // Pushed again: nothing changes, no new version. Another academy sees none of it.
      const repeat = (await push(f.app, f.academyToken, 'laptop-a', onA)).json() as RegistryTrackPushResult;
      assert.equal(repeat.version, r2.version);
      assert.deepEqual(repeat.tracks.map((t) => t.outcome), ['unchanged']);
      assert.deepEqual((await pullAll(f.app, stranger)).book, emptyBook());
      assert.equal((await f.app.inject({ method: 'GET', url: HubRoutes.registryPull.path })).statusCode, 401);
    });

    test('pushes at once from many laptops apply one at a time: every edit kept, versions unique and gapless', async () => {
      const g = await hubFixture(dbs);
      const laptops = await Promise.all(['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map(async (n) => ({ n: `laptop-${n}`, token: (await addMember(g.hubDb.db, g.academyId, n, 'member')).token })));
      const shared = putTrack(emptyBook(), 'own-s1', { geometry: geometryOf(sonoma), name: 'Shared', sectors: [] }, stamp('laptop-p1', 0));
      const books = laptops.map((l, i) => putTrack(editTrack(shared, 'own-s1', { field: 'name', value: `Name ${i}` }, stamp(l.n, 100 + i)), `own-${l.n}`, { geometry: redrawn(geometryOf(other), i), name: l.n, sectors: [] }, stamp(l.n, 200)));
      const answers = await Promise.all(laptops.map((l, i) => push(g.app, l.token, l.n, books[i])));
      for (const a of answers) assert.equal(a.statusCode, 200, a.body);
      const pulled = await pullAll(g.app, g.academyToken, 200);
      assert.deepEqual(pulled.book, books.reduce(mergeBooks), 'the merge of every book, whatever order they were applied in');
      assert.equal(pulled.book.tracks['own-s1']!.name.value, 'Name 5');
      const versions = (await g.hubDb.db.selectFrom('registry_versions').select('version').where('organisation_id', '=', g.academyId).execute()).map((r) => Number(r.version)).sort((a, b) => a - b);
      assert.deepEqual(versions, versions.map((_, i) => i + 1));
    });

    test('hostile pushes are refused in a sentence and change nothing', async () => {
      const snapshot = await pullAll(f.app, f.academyToken, 200);
      const base = putTrack(emptyBook(), 'own-h1', { geometry: geometryOf(other), name: 'Other', sectors: [] }, stamp('laptop-h', 0));
      const refuse = async (token: string, laptop: string, book: unknown, status: number, code: string) => {
        const res = await push(f.app, token, laptop, book);
        assert.equal(res.statusCode, status, res.body);
        assert.equal(res.json().error.code, code, res.body);
        assert.deepEqual(await pullAll(f.app, f.academyToken, 200), snapshot, `${code}: nothing changed`);
      };
      // A key that claims Sonoma's signature id for another track's outline.
      const forged = { tracks: { [trackSignature(sonoma)!.id]: base.tracks['own-h1'] }, groups: {} };
      await refuse(f.academyToken, 'laptop-h', forged, 400, 'forged-signature-id');
      // Another laptop's edit of a track it pushed, older than that laptop's last push and never in it.
      const outOfOrder = editTrack(mergeBooks(base, (await pullAll(f.app, f.academyToken, 200)).book), 'own-a1', { field: 'sectors', value: [] }, stamp('laptop-a', 1500));
      await refuse(f.academyToken, 'laptop-h', outOfOrder, 409, 'edit-out-of-order');
      // The stamp of an edit the registry holds, with another value.
      const conflicting = editTrack(snapshot.book, 'own-a1', { field: 'name', value: 'Other name' }, snapshot.book.tracks['own-a1']!.name.at);
      await refuse(ben, 'laptop-b', conflicting, 409, 'conflicting-edit');
      await refuse(f.academyToken, 'laptop-h', editTrack(base, 'own-h1', { field: 'name', value: 'Forever' }, { ms: Date.now() + 3 * 86_400_000, n: 0, node: 'laptop-h' }), 400, 'stamp-in-future');
      await refuse(ben, 'laptop-a', base, 403, 'laptop-of-another-member');
      await refuse(f.academyToken, 'laptop-h', editTrack(base, 'own-h1', { field: 'geometry', value: { ...geometryOf(other), lengthM: other.lengthM * 3 } }, stamp('laptop-h', 5)), 400, 'invalid-track');
      await refuse(f.academyToken, 'laptop-h', { tracks: { 'own-x': { name: 'no registers' } }, groups: {} }, 400, 'invalid-message');
      const res = await f.app.inject({ method: 'POST', url: HubRoutes.registryPush.path, headers: { authorization: `Bearer ${f.academyToken}`, 'content-type': 'application/json' }, payload: '{"laptop":' });
      assert.equal(res.statusCode, 400);
      const huge = `{"laptop":"laptop-h","book":{"tracks":{},"groups":{},"pad":"${'x'.repeat(REGISTRY_PUSH_MAX_B)}"}}`;
      const big = await f.app.inject({ method: 'POST', url: HubRoutes.registryPush.path, headers: { authorization: `Bearer ${f.academyToken}`, 'content-type': 'application/json' }, payload: huge });
      assert.equal(big.statusCode, 413);
      assert.equal(big.json().error.code, 'fst_err_ctp_body_too_large');
      assert.equal((await push(f.app, 'x', 'laptop-h', base)).statusCode, 401);
      assert.deepEqual(await pullAll(f.app, f.academyToken, 200), snapshot);
    });

    test('fuzz (seeded): mangled pushes are answered 200 or a 4xx, never 500, and a refused one changes nothing', async () => {
      const rand = seededRandom(0x7ac_16);
      const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const values: unknown[] = [null, -1, 1e308, 'trk-0000000000000000', '', 'x'.repeat(200), [], {}, true, { ms: 1, n: 0, node: 'laptop-a' }, [[91, 0]]];
      // Shape: any value anywhere. Meaning: a valid book whose stamps, keys and lengths lie.
      const shape = (book: TrackBook) => {
        const mangled = JSON.parse(JSON.stringify({ laptop: 'laptop-f', book })) as Record<string, unknown>;
        for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
          let node: Record<string, unknown> = mangled;
          for (;;) {
            const keys = Object.keys(node);
            if (keys.length === 0) break;
            const key = pick(keys);
            const child = node[key];
            if (child && typeof child === 'object' && rand() < 0.7) {
              node = child as Record<string, unknown>;
              continue;
            }
            node[key] = structuredClone(pick(values));
            break;
          }
        }
        return mangled;
      };
      const meaning = (book: TrackBook) => {
        const b = structuredClone(book);
        const key = pick(Object.keys(b.tracks));
        const t = b.tracks[key]!;
        const field = pick(['geometry', 'name', 'sectors'] as const);
        const lie = pick(['stamp', 'same-stamp', 'length', 'key'] as const);
        if (lie === 'stamp') t[field].at = { ms: Date.now() + Math.round((rand() * 6 - 3) * 86_400_000), n: Math.floor(rand() * 3), node: pick(['laptop-f', 'laptop-a', 'laptop-b']) };
        if (lie === 'same-stamp') t.name = { value: `Renamed ${Math.floor(rand() * 100)}`, at: t.name.at };
        if (lie === 'length') t.geometry = { value: { ...t.geometry.value, lengthM: t.geometry.value.lengthM * (0.5 + rand() * 1.5) }, at: t.geometry.at };
        if (lie === 'key') {
          delete b.tracks[key];
          b.tracks[rand() < 0.5 ? trackSignature(t.geometry.value)!.id : pick(['trk-0123456789abcdef', trackSignature(sonoma)!.id])] = t;
        }
        return { laptop: 'laptop-f', book: b };
      };
      const seen = new Map<string, number>();
      for (let i = 0; i < 80; i++) {
        const snapshot = await pullAll(f.app, f.academyToken, 200);
        const base = putTrack(snapshot.book, `own-f${i}`, { geometry: redrawn(geometryOf(other), i), name: 'Fuzz', sectors: [] }, stamp('laptop-f', 10_000 + i));
        const mangled = i % 2 ? shape(base) : meaning(base);
        const res = await push(f.app, f.academyToken, mangled.laptop as string, mangled.book);
        assert.ok(res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500), `${i}: ${res.statusCode} ${res.body}`);
        const code = res.statusCode === 200 ? 'merged' : (res.json() as { error: { code: string } }).error.code;
        seen.set(code, (seen.get(code) ?? 0) + 1);
        if (res.statusCode !== 200) assert.deepEqual(await pullAll(f.app, f.academyToken, 200), snapshot, `${i}: refused, nothing changed`);
      }
      for (const code of ['merged', 'invalid-message', 'invalid-track', 'forged-signature-id', 'stamp-in-future', 'conflicting-edit', 'edit-out-of-order']) assert.ok(seen.has(code), `${code} among ${JSON.stringify([...seen])}`);
    });
  });
}
