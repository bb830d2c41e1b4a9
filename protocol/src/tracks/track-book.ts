import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { maxHlc, hlcText, type Hlc } from '../merge/hlc.js';
import { LwwRegister, mergeLww, mergeOptionalLww, type Lww } from '../merge/lww-register.js';
import { OrSet, emptyOrSet, mergeOrSet, orSetAdd, orSetRemove } from '../merge/or-set.js';
import { LatLonTuple, TimingLine } from './track-definition.js';
import { OWN_TRACK_POINTS_MAX, OWN_TRACK_SECTORS_MAX } from './own-track-push.js';

/**
 * The tracks and groups a laptop edits, as a state-based CRDT: every field a last-writer-wins
 * register stamped with a hybrid logical clock (laptop id breaking ties), group membership an
 * observed-remove set. Two books merge field by field (`mergeBooks`): commutative, associative and
 * idempotent, so laptops that exchanged books in any order, any number of times, hold the same
 * book. Why not Automerge or Yjs: docs/track-merging.md.
 */
const Key = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 96 });

export const TrackGeometry = Type.Object(
  {
    startFinish: TimingLine,
    lengthM: Type.Number({ exclusiveMinimum: 0, maximum: 100_000 }),
    outline: Type.Array(LatLonTuple, { minItems: 3, maxItems: OWN_TRACK_POINTS_MAX }),
  },
  { additionalProperties: false },
);
export type TrackGeometry = Static<typeof TrackGeometry>;

export const TrackName = Type.String({ minLength: 1, maxLength: 120 });
export const SectorLines = Type.Array(TimingLine, { maxItems: OWN_TRACK_SECTORS_MAX });

export const BookTrack = Type.Object(
  {
    geometry: LwwRegister(TrackGeometry),
    name: LwwRegister(TrackName),
    sectors: LwwRegister(SectorLines),
    deleted: Type.Optional(LwwRegister(Type.Boolean())),
  },
  { additionalProperties: false },
);
export type BookTrack = Static<typeof BookTrack>;

export const BookGroup = Type.Object(
  { name: Type.Optional(LwwRegister(TrackName)), members: OrSet },
  { additionalProperties: false },
);
export type BookGroup = Static<typeof BookGroup>;

export const TrackBook = Type.Object(
  {
    tracks: Type.Record(Key, BookTrack, { additionalProperties: false, maxProperties: 1000 }),
    groups: Type.Record(Key, BookGroup, { additionalProperties: false, maxProperties: 1000 }),
  },
  { additionalProperties: false },
);
export type TrackBook = Static<typeof TrackBook>;
export const trackBook = validator('TrackBook', TrackBook);

export const emptyBook = (): TrackBook => ({ tracks: {}, groups: {} });

export function mergeBooks(a: TrackBook, b: TrackBook): TrackBook {
  const tracks: Record<string, BookTrack> = {};
  for (const k of keysOf(a.tracks, b.tracks)) {
    const [x, y] = [a.tracks[k], b.tracks[k]];
    if (!x || !y) {
      tracks[k] = (x ?? y)!;
      continue;
    }
    const deleted = mergeOptionalLww(x.deleted, y.deleted);
    tracks[k] = { geometry: mergeLww(x.geometry, y.geometry), name: mergeLww(x.name, y.name), sectors: mergeLww(x.sectors, y.sectors), ...(deleted ? { deleted } : {}) };
  }
  const groups: Record<string, BookGroup> = {};
  for (const k of keysOf(a.groups, b.groups)) {
    const [x, y] = [a.groups[k], b.groups[k]];
    if (!x || !y) {
      groups[k] = (x ?? y)!;
      continue;
    }
    const name = mergeOptionalLww(x.name, y.name);
    groups[k] = { ...(name ? { name } : {}), members: mergeOrSet(x.members, y.members) };
  }
  return { tracks, groups };
}

/** A track made (or drawn again) here: every field stamped `at`. */
export function putTrack(book: TrackBook, key: string, t: { geometry: TrackGeometry; name: string; sectors: TimingLine[] }, at: Hlc): TrackBook {
  const fresh: BookTrack = { geometry: { value: t.geometry, at }, name: { value: t.name, at }, sectors: { value: t.sectors, at } };
  return mergeBooks(book, { tracks: { [key]: fresh }, groups: {} });
}

export type TrackEdit = { field: 'name'; value: string } | { field: 'sectors'; value: TimingLine[] } | { field: 'geometry'; value: TrackGeometry } | { field: 'deleted'; value: boolean };

/** One edit of a track the book holds (a person changing a merged value is just this). */
export function editTrack(book: TrackBook, key: string, edit: TrackEdit, at: Hlc): TrackBook {
  const t = book.tracks[key];
  if (!t) throw new Error(`no track ${key} in the book`);
  const reg = { value: edit.value, at } as Lww<never>;
  return { ...book, tracks: { ...book.tracks, [key]: { ...t, [edit.field]: reg } } };
}

export function renameGroup(book: TrackBook, group: string, name: string, at: Hlc): TrackBook {
  const g = book.groups[group] ?? { members: emptyOrSet() };
  return { ...book, groups: { ...book.groups, [group]: { ...g, name: { value: name, at } } } };
}

export function addMember(book: TrackBook, group: string, member: string, at: Hlc): TrackBook {
  const g = book.groups[group] ?? { members: emptyOrSet() };
  return { ...book, groups: { ...book.groups, [group]: { ...g, members: orSetAdd(g.members, member, hlcText(at)) } } };
}

export function removeMember(book: TrackBook, group: string, member: string): TrackBook {
  const g = book.groups[group];
  if (!g) return book;
  return { ...book, groups: { ...book.groups, [group]: { ...g, members: orSetRemove(g.members, member) } } };
}

/** The latest stamp in a book (a laptop's clock moves past it when it merges the book). */
export function latestStamp(book: TrackBook): Hlc | null {
  let last: Hlc | null = null;
  const see = (r: { at: Hlc } | undefined) => {
    if (r) last = last ? maxHlc(last, r.at) : r.at;
  };
  for (const t of Object.values(book.tracks)) [t.geometry, t.name, t.sectors, t.deleted].forEach(see);
  for (const g of Object.values(book.groups)) see(g.name);
  return last;
}

const keysOf = (a: object, b: object) => [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
