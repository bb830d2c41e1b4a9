import { proposeTrack, sameOwnTrack, trackDefinition, trackSignature, type OwnTrackOptions, type SessionFix, type TrackDefinition } from '@pitwall/protocol';
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

  constructor(private readonly db: Db) {
    this.writer = storeWriter(db);
    this.book = new TrackBookStore(db);
  }

  /** The own tracks, named as the book last says. */
  list(): TrackDefinition[] {
    const book = this.book.book;
    return this.stored().map(({ track: t }) => {
      const name = book.tracks[t.id]?.name.value;
      return name ? { ...t, venue: name, layout: name } : t;
    });
  }

  /** Each own track with its signature id; tracks drawn before ids were kept (or before the book) are filled in. */
  withSignatures(): { track: TrackDefinition; signatureId: string | null }[] {
    const rows = this.stored();
    for (const r of rows) {
      if (r.signatureId === null) {
        const id = trackSignature(r.track)?.id;
        if (id) this.writer.run('ownTracks.setSignature', r.track.id, (r.signatureId = id));
      }
      this.book.recordTrack(r.track);
    }
    const names = this.book.book.tracks;
    return rows.map((r) => ({ ...r, track: names[r.track.id] ? { ...r.track, venue: names[r.track.id]!.name.value, layout: names[r.track.id]!.name.value } : r.track }));
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
