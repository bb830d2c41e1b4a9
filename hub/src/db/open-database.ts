import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest, migrateUpTo } from './migrations.js';
import { preparingPool } from './preparing-pool.js';
import type { HubTables } from './tables.js';

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface HubDatabase {
  readonly db: Kysely<HubTables>;
  readonly kind: DatabaseTarget['kind'];
  close(): Promise<void>;
}

/** `postgres://…` or `postgresql://…` names a PostgreSQL database; anything else is refused here (the CLI turns --data-dir into a SQLite file). */
export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//.test(text);
}

/**
 * Opens the hub's database and migrates it. SQLite: one file in WAL mode with a busy timeout
 * (Kysely keeps the one connection and runs transactions one at a time). PostgreSQL: a pool;
 * every request's state lives in the database, so several hub processes can share it.
 */
export async function openDatabase(target: DatabaseTarget, opts: { poolSize?: number; migrateUpTo?: string } = {}): Promise<HubDatabase> {
  const db = connectDatabase(target, opts);
  try {
    if (opts.migrateUpTo) await migrateUpTo(db as Kysely<unknown>, opts.migrateUpTo);
    else await migrateToLatest(db as Kysely<unknown>);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return { db, kind: target.kind, close: () => db.destroy() };
}

/** The database as it is, not migrated (openDatabase migrates it). */
export function connectDatabase(target: DatabaseTarget, opts: { poolSize?: number } = {}): Kysely<HubTables> {
  if (target.kind === 'sqlite') {
    const sqlite = new Database(target.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    return new Kysely<HubTables>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  const pool = new pg.Pool({ connectionString: target.url, max: opts.poolSize ?? 10 });
  // A dropped idle connection must not take the process down; the next query opens another.
  pool.on('error', () => undefined);
  return new Kysely<HubTables>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
}
