import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareHlc, orSetValues, receiveHlc, tickHlc, type Hlc } from '../../../src/merge/index.js';
import {
  addMember, editTrack, emptyBook, latestStamp, mergeBooks, mergeReport, putTrack, removeMember, renameGroup, trackBook,
  type TimingLine, type TrackBook, type TrackGeometry,
} from '../../../src/tracks/index.js';
import { seededRandom } from '../../seeded-random.js';
import { shuffle, treeMerge } from '../../helpers/merge-orders.js';

const line = (lat: number): TimingLine => ({ a: { lat, lon: 10 }, b: { lat, lon: 10.0003 } });
const geometry = (k: number): TrackGeometry => ({
  startFinish: line(45 + k * 1e-4),
  lengthM: 1000 + k * 50,
  outline: [[45, 10], [45.001 + k * 1e-4, 10], [45.001, 10.002], [45, 10.002]],
});
const NAMES = ['North loop', 'Club', 'Kart 1', 'Karting Nord', 'Short'];
const TRACKS = ['own-a', 'own-b', 'trk-c'];
const GROUPS = ['juniors', 'pros'];
const MEMBERS = ['ana', 'ben', 'chloe', 'dev', 'emil'];

/** Canonical text of a book: keys sorted at every level, so equal books give equal text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

interface Laptop {
  book: TrackBook;
  clock: Hlc;
  /** This laptop's wall clock: skewed, and advancing by its own steps. */
  wall: number;
}

/** Random edits and syncs on several laptops; returns their books at the end. */
function randomHistory(rand: () => number): TrackBook[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const laptops: Laptop[] = Array.from({ length: 2 + Math.floor(rand() * 4) }, (_, i) => ({
    book: emptyBook(),
    clock: { ms: 0, n: 0, node: `laptop-${i}` },
    wall: 1_700_000_000_000 + Math.floor((rand() - 0.5) * 10_000),
  }));
  const steps = 20 + Math.floor(rand() * 80);
  for (let s = 0; s < steps; s++) {
    const l = pick(laptops);
    l.wall += rand() < 0.3 ? 0 : Math.floor(rand() * 2000); // same millisecond now and then: the counter decides
    const stamp = () => (l.clock = tickHlc(l.clock, l.wall));
    const r = rand();
    const key = pick(TRACKS);
    const t = l.book.tracks[key];
    if (r < 0.15) l.book = putTrack(l.book, key, { geometry: geometry(Math.floor(rand() * 3)), name: pick(NAMES), sectors: [] }, stamp());
    else if (r < 0.3 && t) l.book = editTrack(l.book, key, { field: 'name', value: pick(NAMES) }, stamp());
    else if (r < 0.4 && t) l.book = editTrack(l.book, key, { field: 'sectors', value: Array.from({ length: Math.floor(rand() * 3) }, (_, i) => line(45.0005 + i * 1e-4)) }, stamp());
    else if (r < 0.45 && t) l.book = editTrack(l.book, key, { field: 'deleted', value: rand() < 0.5 }, stamp());
    else if (r < 0.5 && t) l.book = editTrack(l.book, key, { field: 'geometry', value: geometry(Math.floor(rand() * 3)) }, stamp());
    else if (r < 0.55) l.book = renameGroup(l.book, pick(GROUPS), pick(NAMES), stamp());
    else if (r < 0.7) l.book = addMember(l.book, pick(GROUPS), pick(MEMBERS), stamp());
    else if (r < 0.8) l.book = removeMember(l.book, pick(GROUPS), pick(MEMBERS));
    else {
      const from = pick(laptops);
      const seen = latestStamp(from.book);
      l.book = mergeBooks(l.book, from.book);
      if (seen) l.clock = receiveHlc(l.clock, seen, l.wall);
    }
  }
  return laptops.map((l) => l.book);
}

describe('merging track books', () => {
  it('300 seeded random histories: every order and grouping of merges gives one book, and merging again changes nothing', () => {
    const rand = seededRandom(1616);
    for (let c = 0; c < 300; c++) {
      const books = randomHistory(rand);
      const reference = canonical(books.reduce(mergeBooks, emptyBook()));
      for (let k = 0; k < 6; k++) {
        const merged = k % 2 === 0 ? shuffle(books, rand).reduce(mergeBooks, emptyBook()) : treeMerge(books, rand, mergeBooks);
        assert.equal(canonical(merged), reference, `case ${c}, order ${k}`);
        assert.ok(trackBook.is(merged), `case ${c}: the merged book is valid`);
      }
      const all = books.reduce(mergeBooks, emptyBook());
      for (const b of books) assert.equal(canonical(mergeBooks(all, b)), reference, `case ${c}: idempotent`);
      const [x, y] = [books[0]!, books.at(-1)!];
      assert.equal(canonical(mergeBooks(x, y)), canonical(mergeBooks(y, x)), `case ${c}: commutative`);
    }
  });

  it('the later edit wins whichever laptop merges first; equal times go to the larger laptop id', () => {
    const a0: Hlc = { ms: 1000, n: 0, node: 'laptop-a' };
    let book = putTrack(emptyBook(), 'own-a', { geometry: geometry(0), name: 'First', sectors: [] }, a0);
    const onB = editTrack(book, 'own-a', { field: 'name', value: 'From B' }, { ms: 2000, n: 0, node: 'laptop-b' });
    const onA = editTrack(book, 'own-a', { field: 'name', value: 'From A' }, { ms: 2000, n: 0, node: 'laptop-a' });
    assert.equal(mergeBooks(onA, onB).tracks['own-a']!.name.value, 'From B');
    assert.equal(mergeBooks(onB, onA).tracks['own-a']!.name.value, 'From B');
    book = editTrack(onA, 'own-a', { field: 'name', value: 'A later' }, { ms: 2000, n: 1, node: 'laptop-a' });
    assert.equal(mergeBooks(book, onB).tracks['own-a']!.name.value, 'A later');
  });

  it('a laptop whose clock is an hour behind still edits after what it has merged', () => {
    const ahead: Hlc = { ms: 5_000_000, n: 3, node: 'laptop-a' };
    const behind = receiveHlc({ ms: 1_400_000, n: 0, node: 'laptop-b' }, ahead, 1_400_100);
    const next = tickHlc(behind, 1_400_200);
    assert.ok(compareHlc(next, ahead) > 0);
  });

  it('group membership: an add made while another laptop removed survives; a remove of what was seen holds', () => {
    const base = addMember(emptyBook(), 'juniors', 'ana', { ms: 1, n: 0, node: 'laptop-a' });
    const removedOnB = removeMember(base, 'juniors', 'ana');
    const readdedOnA = addMember(base, 'juniors', 'ana', { ms: 2, n: 0, node: 'laptop-a' });
    assert.deepEqual(orSetValues(mergeBooks(removedOnB, readdedOnA).groups['juniors']!.members), ['ana']);
    assert.deepEqual(orSetValues(mergeBooks(removedOnB, base).groups['juniors']!.members), []);
  });

  it('the merge report says what changed and whose edit it was; changing it back is an edit that wins', () => {
    const mine = putTrack(emptyBook(), 'own-a', { geometry: geometry(0), name: 'Club', sectors: [] }, { ms: 1000, n: 0, node: 'laptop-a' });
    const theirs = addMember(editTrack(mine, 'own-a', { field: 'name', value: 'Club circuit' }, { ms: 3000, n: 0, node: 'laptop-b' }), 'juniors', 'ben', { ms: 3001, n: 0, node: 'laptop-b' });
    const merged = mergeBooks(mine, theirs);
    const report = mergeReport(mine, merged);
    assert.deepEqual(report, [
      { entity: 'track', key: 'own-a', field: 'name', from: 'Club', to: 'Club circuit', by: 'laptop-b', atMs: 3000 },
      { entity: 'group', key: 'juniors', field: 'member-added', from: null, to: 'ben', by: null, atMs: null },
    ]);
    const clock = receiveHlc({ ms: 1000, n: 0, node: 'laptop-a' }, latestStamp(merged)!, 2000);
    const changed = editTrack(merged, 'own-a', { field: 'name', value: 'Club' }, tickHlc(clock, 2000));
    assert.equal(mergeBooks(theirs, changed).tracks['own-a']!.name.value, 'Club');
    assert.deepEqual(mergeReport(merged, merged), []);
  });

  it('a book from a peer is validated: a wrong shape or an oversized field is refused', () => {
    assert.equal(trackBook.is({ tracks: { 'own-a': { name: { value: 'x', at: { ms: 1, n: 0, node: 'a' } } } }, groups: {} }), false);
    assert.equal(trackBook.is({ tracks: {}, groups: { Bad_Key: { members: { adds: {}, removed: [] } } } }), false);
    assert.equal(trackBook.is({ tracks: {}, groups: { ok: { name: { value: 'x'.repeat(121), at: { ms: 1, n: 0, node: 'a' } }, members: { adds: {}, removed: [] } } } }), false);
  });
});
