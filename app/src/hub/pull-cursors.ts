import type { Db } from '../store/database.js';

/** What a companion pulls from a hub after a version: the track registry, the team rosters. */
export type PullKind = 'tracks' | 'rosters';

export interface PullCursor {
  /** The newest version seen (0: pull all). */
  version: number;
  /** A digest of what was last pushed to this hub (null: nothing yet). */
  pushed: string | null;
}

/** The hub a cursor belongs to: its origin (the same hub by another path is the same hub). */
export const hubKey = (hubUrl: string): string => new URL(hubUrl).origin;

export function readCursor(db: Db, hubUrl: string, kind: PullKind): PullCursor {
  const row = db.prepare('SELECT version, pushed FROM hub_pull_cursors WHERE hub = ? AND kind = ?').get(hubKey(hubUrl), kind) as PullCursor | undefined;
  return row ?? { version: 0, pushed: null };
}

/** The store's writes of the cursors, run by its writer (store/write-ops.ts). */
export const cursorWrites = {
  'hub.setCursor': (db: Db, hub: string, kind: PullKind, version: number, pushed: string | null): void => {
    db.prepare('INSERT INTO hub_pull_cursors (hub, kind, version, pushed) VALUES (?,?,?,?) ON CONFLICT (hub, kind) DO UPDATE SET version = excluded.version, pushed = excluded.pushed').run(
      hub,
      kind,
      version,
      pushed,
    );
  },
};
