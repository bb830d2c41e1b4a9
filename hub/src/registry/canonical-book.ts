import type { Kysely, Transaction } from 'kysely';
import type { BookGroup, BookTrack, TrackBook, TrackSignature } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';

/** An organisation's canonical book as stored: the book, and each track's registry id, aliases and signature. */
export interface CanonicalBook {
  book: TrackBook;
  tracks: Map<string, { registryId: string; aliases: string[]; signature: TrackSignature; version: number }>;
  groups: Map<string, { version: number }>;
}

/** Reads every entry of an organisation's registry (each value passed the protocol's schema when it was pushed). */
export async function readCanonicalBook(db: Kysely<HubTables> | Transaction<HubTables>, organisationId: string): Promise<CanonicalBook> {
  const rows = await db.selectFrom('registry_entries').selectAll().where('organisation_id', '=', organisationId).execute();
  const out: CanonicalBook = { book: { tracks: {}, groups: {} }, tracks: new Map(), groups: new Map() };
  for (const r of rows) {
    if (r.kind === 'track') {
      out.book.tracks[r.key] = JSON.parse(r.value) as BookTrack;
      out.tracks.set(r.key, { registryId: r.registry_id!, aliases: JSON.parse(r.aliases ?? '[]') as string[], signature: JSON.parse(r.signature!) as TrackSignature, version: Number(r.version) });
    } else {
      out.book.groups[r.key] = JSON.parse(r.value) as BookGroup;
      out.groups.set(r.key, { version: Number(r.version) });
    }
  }
  return out;
}
