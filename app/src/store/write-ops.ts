import { crashWrites } from '../diagnostics/crash-dumps.js';
import { healthWrites } from '../diagnostics/health-store.js';
import { logWrites } from '../diagnostics/log-writer.js';
import { pullWrites } from '../diagnostics/pull-store.js';
import { ownTrackWrites } from '../sessions/own-tracks.js';
import { licenseWrites } from '../license/license-store.js';
import { sessionWrites } from '../sessions/partial-sessions.js';
import { trackBookWrites } from '../sessions/track-book-store.js';
import { hubWrites } from '../hub/hub-sync.js';
import { hubStateWrites } from '../hub/hub-state.js';
import { cursorWrites } from '../hub/pull-cursors.js';
import { rosterWrites } from '../hub/team-rosters.js';
import { syncGroupWrites } from '../hub/sync-groups.js';
import type { Db } from './database.js';
import { unitWrites } from './device-repo.js';
import { pinWrites } from './pin-repo.js';

const table = () => ({ ...unitWrites, ...pinWrites, ...logWrites, ...healthWrites, ...crashWrites, ...pullWrites, ...sessionWrites, ...ownTrackWrites, ...licenseWrites, ...trackBookWrites, ...hubWrites, ...hubStateWrites, ...cursorWrites, ...rosterWrites, ...syncGroupWrites });

/** Every small write the store's writer runs for the main thread, by name: `(db, ...args) => result`. */
export type WriteOps = ReturnType<typeof table>;
export type WriteOp = keyof WriteOps;
export type WriteArgs<K extends WriteOp> = WriteOps[K] extends (db: Db, ...args: infer A) => unknown ? A : never;
export type WriteResult<K extends WriteOp> = ReturnType<WriteOps[K]>;

let ops: WriteOps | null = null;

/** The table, built on first use (its modules import the writer's, which imports this one). */
export function writeOps(): WriteOps {
  return (ops ??= table());
}

/** Runs one named write on `db` (the writer's connection). */
export function runWrite(db: Db, op: string, args: unknown[]): unknown {
  const fn = (writeOps() as Record<string, (db: Db, ...a: unknown[]) => unknown>)[op];
  if (!fn) throw new Error(`no store write named ${op}`);
  return fn(db, ...args);
}
