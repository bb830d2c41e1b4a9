import { PostgresAdapter, type Kysely } from 'kysely';

/** True on PostgreSQL, false on SQLite: for the few statements written for one of them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema: migrations see Kysely<unknown>, the routes Kysely<HubTables>
export const isPostgres = (db: Kysely<any>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;
