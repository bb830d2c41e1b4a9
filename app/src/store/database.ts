import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { registerImuBlockFunction } from '../sessions/imu-blocks.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { toStoreError } from './store-errors.js';
import { InlineWriter, registerWriter, ThreadWriter, type StoreWriter } from './store-writer.js';

export type Db = Database.Database;

export const DATABASE_FILE = 'companion.sqlite';

/** Where the companion keeps its state: $PITWALL_DATA_DIR, else $XDG_CONFIG_HOME/pitwall, else ~/.config/pitwall. */
export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PITWALL_DATA_DIR) return env.PITWALL_DATA_DIR;
  const config = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'pitwall');
}

/** One writer per database file in this process, shared by its connections. */
const fileWriters = new Map<string, { writer: StoreWriter; users: number }>();

/**
 * Opens (creating if needed) the companion database in `dataDir`, or an in-memory one for
 * `null`, brought up to date. The connection returned reads; its repositories write through
 * the store's one writer (store-writer.ts): a thread owning the only write connection to a
 * file (this one is `query_only`), or this same connection for a store in memory. Closing
 * the connection ends the writer when it was the file's last. Failures are StoreErrors.
 */
export function openDatabase(dataDir: string | null, migrations: readonly Migration[] = MIGRATIONS): Db {
  try {
    if (dataDir === null) {
      const db = openDatabaseFile(null, migrations);
      registerWriter(db, new InlineWriter(db));
      return db;
    }
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    return openReader(join(dataDir, DATABASE_FILE), migrations);
  } catch (err) {
    throw toStoreError(err);
  }
}

function openReader(file: string, migrations: readonly Migration[]): Db {
  let shared = fileWriters.get(file);
  if (!shared) fileWriters.set(file, (shared = { writer: new ThreadWriter(file, migrations), users: 0 }));
  shared.users++;
  const entry = shared;
  const release = (): void => {
    if (--entry.users > 0 || fileWriters.get(file) !== entry) return;
    fileWriters.delete(file);
    entry.writer.close();
  };
  let db: Db;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    db.pragma('query_only = ON');
  } catch (err) {
    release();
    throw err;
  }
  registerWriter(db, entry.writer);
  const close = db.close.bind(db);
  db.close = () => {
    if (db.open) {
      close();
      release();
    }
    return db;
  };
  return db;
}

/**
 * A connection of its own to a database file (or in memory for `null`) with WAL and foreign
 * keys on, schema brought up to date: the writer thread's. Anything else opens the store with
 * openDatabase.
 */
export function openDatabaseFile(file: string | null, migrations: readonly Migration[] = MIGRATIONS): Db {
  const db = new Database(file ?? ':memory:');
  try {
    if (file !== null) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 2000');
    registerImuBlockFunction(db);
    migrate(db, migrations);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Applies every migration newer than `PRAGMA user_version`, each in its own transaction. Idempotent. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  let current = schemaVersion(db);
  for (const m of sorted) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
    })();
    current = m.version;
  }
  return current;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** `PRAGMA integrity_check` result lines ("ok" when healthy). */
export function integrityCheck(db: Db): string[] {
  return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
}
