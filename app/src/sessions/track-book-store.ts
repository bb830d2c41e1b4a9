import { randomBytes } from 'node:crypto';
import {
  editTrack, emptyBook, latestStamp, mergeBooks, mergeReport, putTrack, receiveHlc, tickHlc, trackBook, hlc,
  type Hlc, type MergeChange, type TrackBook, type TrackDefinition,
} from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import { prepared } from '../store/statements.js';
import { storeWriter, type StoreWriter } from '../store/store-writer.js';

/** The book's writes, run by the store's writer: the book and its merge report in one transaction. */
export const trackBookWrites = {
  'trackBook.save': (db: Db, node: string, clock: string, book: string, changes: string[], at: number): void => {
    db.transaction(() => {
      prepared(db, 'INSERT INTO track_book (id, node, clock, book) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET clock = excluded.clock, book = excluded.book').run(node, clock, book);
      for (const c of changes) {
        const { entity, key } = JSON.parse(c) as MergeChange;
        prepared(db, 'INSERT INTO track_merges (merged_at, entity, key, change) VALUES (?, ?, ?, ?)').run(at, entity, key, c);
      }
    })();
  },
};

interface Loaded {
  node: string;
  clock: Hlc;
  book: TrackBook;
}

/** A merge change as stored, with when this laptop merged it. */
export interface StoredChange extends MergeChange {
  mergedAt: number;
}

/**
 * This laptop's book of tracks and groups (see docs/track-merging.md): the edits made here,
 * stamped with its clock, and the books merged in from other laptops, with what each merge changed.
 */
export class TrackBookStore {
  private readonly writer: StoreWriter;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.writer = storeWriter(db);
  }

  load(): Loaded {
    const row = this.db.prepare('SELECT node, clock, book FROM track_book WHERE id = 1').get() as { node: string; clock: string; book: string } | undefined;
    if (!row) {
      const node = `laptop-${randomBytes(6).toString('hex')}`;
      return { node, clock: { ms: 0, n: 0, node }, book: emptyBook() };
    }
    return { node: row.node, clock: hlc.parse(JSON.parse(row.clock)), book: trackBook.parse(JSON.parse(row.book)) };
  }

  get book(): TrackBook {
    return this.load().book;
  }

  /** A track drawn here goes into the book under its id (drawn again: nothing changes). */
  recordTrack(t: TrackDefinition): void {
    const l = this.load();
    if (l.book.tracks[t.id] || !t.outline) return;
    const clock = tickHlc(l.clock, this.now());
    const geometry = { startFinish: t.startFinish, lengthM: t.lengthM, outline: t.outline };
    this.save(l.node, clock, putTrack(l.book, t.id, { geometry, name: t.layout, sectors: t.sectors ?? [] }, clock), []);
  }

  /** A new name for a track: an edit stamped now, which wins over what this laptop has merged. */
  rename(key: string, name: string): void {
    const l = this.load();
    if (!l.book.tracks[key]) throw new Error(`no track ${key} in this laptop's book`);
    const clock = tickHlc(l.clock, this.now());
    this.save(l.node, clock, editTrack(l.book, key, { field: 'name', value: name }, clock), []);
  }

  /** Merges another laptop's book (validated first: nothing changes when it is refused); returns what changed here. */
  merge(remote: unknown): MergeChange[] {
    const theirs = trackBook.parse(remote);
    const l = this.load();
    const merged = mergeBooks(l.book, theirs);
    const changes = mergeReport(l.book, merged);
    const seen = latestStamp(theirs);
    const clock = seen ? receiveHlc(l.clock, seen, this.now()) : l.clock;
    this.save(l.node, clock, merged, changes);
    return changes;
  }

  /** What merges changed for one track or group, oldest first. */
  changes(entity: 'track' | 'group', key: string): StoredChange[] {
    const rows = this.db.prepare('SELECT merged_at, change FROM track_merges WHERE entity = ? AND key = ? ORDER BY id').all(entity, key) as { merged_at: number; change: string }[];
    return rows.map((r) => ({ ...(JSON.parse(r.change) as MergeChange), mergedAt: r.merged_at }));
  }

  private save(node: string, clock: Hlc, book: TrackBook, changes: MergeChange[]): void {
    this.writer.run('trackBook.save', node, JSON.stringify(clock), JSON.stringify(book), changes.map((c) => JSON.stringify(c)), this.now());
  }
}
