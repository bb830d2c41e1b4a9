import { proposeTrack, sameOwnTrack, trackDefinition, trackSignature, type MergeChange, type OwnTrackOptions, type SessionFix, type TrackBook, type TrackDefinition } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import { prepared } from '../store/statements.js';
import { storeWriter, type StoreWriter } from '../store/store-writer.js';
import type { SessionStore } from './session-store.js';
import { TrackBookStore } from './track-book-store.js';

/** The own tracks' writes, run by the store's writer (store-writer.ts). */
export const ownTrackWrites = {
  /** Stores a drawn track (as validated JSON); false when its id is stored already. */
  'ownTracks.add': (db: Db, id: string, definition: string, createdAt: number, signatureId: string | null): boolean =>
    prepared(db, 'INSERT OR IGNORE INTO own_tracks (id, definition, created_at, signature_id) VALUES (?, ?, ?, ?)').run(id, definition, createdAt, signatureId).changes === 1,
  'ownTracks.setSignature': (db: Db, id: string, signatureId: string): void => void prepared(db, 'UPDATE own_tracks SET signature_id = ? WHERE id = ?').run(signatureId, id),
};

/** Tracks drawn in this companion from driven laps, kept in SQLite next to the sessions. */
export class OwnTracks {
  private readonly writer: StoreWriter;
  /** The edits and merges of these tracks (names changed here or on other laptops). */
  readonly book: TrackBookStore;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.writer = storeWriter(db);
    this.book = new TrackBookStore(db);
  }

  /** The own tracks, named and with the sector lines the book last says (edits here or merged from other laptops). */
  list(): TrackDefinition[] {
    const book = this.book.book;
    return this.stored().map(({ track }) => asBookSays(track, book));
  }

  /**
   * Each own track with its signature id. Tracks drawn before ids were kept get theirs, tracks
   * drawn before the book go into it, and tracks a merge brought from another laptop become own
   * tracks here (timed, listed, pushed to units like the ones drawn here).
   */
  withSignatures(): { track: TrackDefinition; signatureId: string | null }[] {
    const rows = this.stored();
    for (const r of rows) {
      if (r.signatureId === null) {
        const id = trackSignature(r.track)?.id;
        if (id) this.writer.run('ownTracks.setSignature', r.track.id, (r.signatureId = id));
      }
      this.book.recordTrack(r.track);
    }
    const book = this.book.book;
    const have = new Set(rows.map((r) => r.track.id));
    for (const [key, t] of Object.entries(book.tracks)) {
      if (have.has(key)) continue;
      const g = t.geometry.value;
      const track = trackDefinition.parse({
        id: key, venue: t.name.value, layout: t.name.value, startFinish: g.startFinish, lengthM: g.lengthM, outline: g.outline,
        ...(t.sectors.value.length ? { sectors: t.sectors.value } : {}),
        origin: { source: 'pitwall', licence: 'CC0-1.0', ref: 'own', note: `merged from ${t.geometry.at.node}` },
      });
      const signatureId = trackSignature(track)?.id ?? null;
      this.writer.run('ownTracks.add', key, JSON.stringify(track), this.now(), signatureId);
      rows.push({ track, signatureId });
    }
    return rows.map((r) => ({ ...r, track: asBookSays(r.track, book) }));
  }

  /** Merges another laptop's book (see TrackBookStore.merge) and makes the tracks it brought own tracks here. */
  merge(remote: unknown): MergeChange[] {
    this.withSignatures();
    const changes = this.book.merge(remote);
    this.withSignatures();
    return changes;
  }

  private stored(): { track: TrackDefinition; signatureId: string | null }[] {
    const rows = this.db.prepare('SELECT definition, signature_id FROM own_tracks ORDER BY created_at').all() as { definition: string; signature_id: string | null }[];
    return rows.flatMap((r) => {
      const t: unknown = JSON.parse(r.definition);
      return trackDefinition.is(t) ? [{ track: t, signatureId: r.signature_id }] : [];
    });
  }

  /**
   * Proposes a track from a session's fixes and stores it; the same loop drawn again returns the
   * track already stored (its id and lines), with `added` false.
   */
  addFrom(fixes: readonly SessionFix[], o: OwnTrackOptions): { track: TrackDefinition; added: boolean } {
    const path = fixes.flatMap((f) => (f.fix !== 'none' && f.lat !== null && f.lon !== null && (f.speedMps ?? 10) >= 2.5 ? [{ lat: f.lat, lon: f.lon }] : []));
    const track = trackDefinition.parse(proposeTrack(path, o));
    const existing = this.list().find((t) => t.id === track.id || sameOwnTrack(t, track));
    if (existing) return { track: existing, added: false };
    if (!this.writer.run('ownTracks.add', track.id, JSON.stringify(track), Date.now(), trackSignature(track)?.id ?? null)) throw new Error(`track "${track.id}" was stored meanwhile`);
    this.book.recordTrack(track);
    return { track, added: true };
  }
}

/** What drawing a track from a session did: the track (new, or the same loop stored before) and the laps now timed on it. */
export interface TrackFromSession {
  track: TrackDefinition;
  added: boolean;
  laps: number;
}

/**
 * Draws an own track from a stored session's path, stores it and re-times that session on it
 * (chosen by hand), the one path for `pitwall tracks add` and the UI's `tracks:add`. Throws (an
 * Error saying why) when no track can be drawn; nothing is stored then.
 */
export function addTrackFromSession(store: SessionStore, own: OwnTracks, session: number, o: OwnTrackOptions): TrackFromSession {
  const { track, added } = own.addFrom(store.fixes(session), o);
  store.chooseTrack(session, track.id, [track]);
  return { track, added, laps: store.laps(session).length };
}

/** A stored own track as the book says it now: its name and sector lines (its geometry is its identity and stays). */
function asBookSays(t: TrackDefinition, book: TrackBook): TrackDefinition {
  const b = book.tracks[t.id];
  if (!b) return t;
  const { sectors: _old, ...rest } = t;
  return { ...rest, venue: b.name.value, layout: b.name.value, ...(b.sectors.value.length ? { sectors: b.sectors.value } : {}) };
}
