import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { addMember, compareHlc, editTrack, trackSignature, type TrackBook } from '@pitwall/protocol';
import { ownTrackDetails } from '../../../src/sessions/own-track-details.js';
import { OwnTracks } from '../../../src/sessions/own-tracks.js';
import { loadTracks } from '../../../src/sessions/sessions-service.js';
import { openDatabase } from '../../../src/store/database.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { storeWriter } from '../../../src/store/store-writer.js';

/** The companion's book of tracks in real SQLite: an own track drawn before ids were kept, a merge from another laptop, a change back. */
const db = openDatabase(null);
after(() => db.close());
const catalog = loadTracks();
const sonoma = catalog.find((t) => t.id === 'sonoma-raceway-sonoma-race')!;
// An own track drawn at Sonoma with the line a few metres on, stored as a row from before migration 9 (no signature id).
const drawn = { ...sonoma, id: 'own-0123456789abcdef', venue: 'Sears Point', layout: 'Sears Point', origin: { source: 'pitwall', licence: 'CC0-1.0', ref: 'own' } };

test('an own track stored before ids were kept gets its signature id, a place in the book and the catalog id it resolves to', () => {
  assert.ok(MIGRATIONS.some((m) => m.version === 8 && /signature_id/.test(m.sql)));
  storeWriter(db).run('ownTracks.add', drawn.id, JSON.stringify(drawn), 1, null);
  const own = new OwnTracks(db);
  const [detail] = ownTrackDetails(own, catalog);
  assert.equal(detail!.signatureId, trackSignature(drawn)!.id);
  assert.equal(detail!.resolvedId, trackSignature(sonoma)!.id, 'the same loop as the catalog layout goes by its id');
  assert.equal(detail!.name, 'Sears Point');
  assert.equal(detail!.nameBy, detail!.thisLaptop);
  assert.match(detail!.thisLaptop, /^laptop-[0-9a-f]{12}$/);
  const row = db.prepare('SELECT signature_id FROM own_tracks').get() as { signature_id: string };
  assert.equal(row.signature_id, detail!.signatureId);
});

test("another laptop's later rename merges in, is reported with that laptop's id, and a new edit here changes it back", () => {
  const own = new OwnTracks(db);
  const mine = own.book.book;
  const stamp = own.book.load().clock;
  let theirs: TrackBook = editTrack(mine, drawn.id, { field: 'name', value: 'Sonoma Raceway' }, { ms: stamp.ms + 60_000, n: 0, node: 'laptop-b0b' });
  theirs = addMember(theirs, 'juniors', 'ana', { ms: stamp.ms + 60_001, n: 0, node: 'laptop-b0b' });
  const changes = own.book.merge(theirs);
  assert.deepEqual(changes.map((c) => [c.entity, c.field, c.from, c.to, c.by]), [
    ['track', 'name', 'Sears Point', 'Sonoma Raceway', 'laptop-b0b'],
    ['group', 'member-added', null, 'ana', null],
  ]);
  const [detail] = ownTrackDetails(own, catalog);
  assert.equal(detail!.name, 'Sonoma Raceway');
  assert.equal(detail!.nameBy, 'laptop-b0b');
  assert.equal(detail!.changes.length, 1);
  assert.equal(own.list()[0]!.layout, 'Sonoma Raceway', 'the tracks list shows the merged name');
  assert.deepEqual(own.book.merge(theirs), [], 'merging the same book again changes nothing');

  own.book.rename(drawn.id, 'Sears Point');
  assert.equal(own.list()[0]!.layout, 'Sears Point');
  const back = own.book.book.tracks[drawn.id]!.name;
  assert.equal(back.at.node, own.book.load().node);
  assert.ok(compareHlc(back.at, theirs.tracks[drawn.id]!.name.at) > 0, 'stamped after the merged edit though this clock is a minute behind it');
});

test('a book that does not validate is refused and changes nothing', () => {
  const own = new OwnTracks(db);
  const before = JSON.stringify(own.book.book);
  const merges = (db.prepare('SELECT count(*) AS n FROM track_merges').get() as { n: number }).n;
  assert.throws(() => own.book.merge({ tracks: { [drawn.id]: { name: { value: 'x' } } }, groups: {} }), /invalid TrackBook/);
  assert.throws(() => own.book.merge('not a book'), /invalid TrackBook/);
  assert.equal(JSON.stringify(own.book.book), before);
  assert.equal((db.prepare('SELECT count(*) AS n FROM track_merges').get() as { n: number }).n, merges);
});
