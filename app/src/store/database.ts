import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export const DATABASE_FILE = 'companion.sqlite';

/** Where the companion keeps its state: $PITWALL_DATA_DIR, else $XDG_CONFIG_HOME/pitwall, else ~/.config/pitwall. */
export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PITWALL_DATA_DIR) return env.PITWALL_DATA_DIR;
  const config = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'pitwall');
}

/**
 * Opens (creating if needed) the companion database in `dataDir`, or an in-memory one for
 * `null`, with WAL and foreign keys on, and brings the schema up to date.
 */
export function openDatabase(dataDir: string | null, migrations: readonly Migration[] = MIGRATIONS): Db {
  if (dataDir !== null) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return openDatabaseFile(dataDir === null ? null : join(dataDir, DATABASE_FILE), migrations);
}

/** The same for a database file (a second connection from another thread), or in memory for `null`. */
export function openDatabaseFile(file: string | null, migrations: readonly Migration[] = MIGRATIONS): Db {
  const db = new Database(file ?? ':memory:');
  if (file !== null) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 2000');
  migrate(db, migrations);
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
