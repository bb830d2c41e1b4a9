import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { writeFleetLapColumns } from '../fleet/hub-lap-columns.js';
import { isPostgres } from './dialect.js';
import type { HubTables } from './tables.js';

/**
 * The hub's schema, written once with Kysely's schema builder so the same migration makes the
 * same tables in SQLite and in PostgreSQL. Append new migrations; never edit one that shipped.
 * Kysely's migrator takes a lock (an advisory lock in PostgreSQL) so hub processes starting at
 * once against one database migrate it once.
 */
const migrations: Record<string, Migration> = {
  '0001-registration': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('organisations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('dealer_academies')
        .addColumn('dealer_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('academy_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addPrimaryKeyConstraint('dealer_academies_pk', ['dealer_id', 'academy_id'])
        .execute();
      await db.schema
        .createTable('members')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('challenges')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema.createIndex('challenges_expires').on('challenges').column('expires_at').execute();
      await db.schema
        .createTable('units')
        .addColumn('unit_id', 'text', (c) => c.primaryKey())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.references('organisations.id'))
        .addColumn('claimed_by', 'text', (c) => c.references('organisations.id'))
        .execute();
      await db.schema
        .createTable('claim_codes')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('academy_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('dealer_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('created_by', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('unit_id', 'text')
        .execute();
      await db.schema
        .createTable('audit')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_at').on('audit').columns(['at', 'id']).execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['audit', 'claim_codes', 'units', 'challenges', 'members', 'dealer_academies', 'organisations']) await db.schema.dropTable(t).execute();
    },
  },
  '0002-team': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('group_members')
        .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'member_id'])
        .execute();
      await db.schema.createIndex('group_members_member').on('group_members').column('member_id').execute();
      await db.schema
        .createTable('shared_sessions')
        .addColumn('unit_id', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('driver_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('track_id', 'text')
        .addColumn('laps', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('shared_sessions_pk', ['unit_id', 'session_id'])
        .execute();
      await db.schema
        .createTable('session_shares')
        .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
        .addColumn('unit_id', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('session_shares_pk', ['group_id', 'unit_id', 'session_id'])
        .execute();
      await db.schema.createIndex('session_shares_session').on('session_shares').columns(['unit_id', 'session_id']).execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['session_shares', 'shared_sessions', 'group_members', 'groups']) await db.schema.dropTable(t).execute();
    },
  },
  // Fleet distributions read a track's shared sessions: a range of this index, not the table.
  '0003-fleet-track-index': {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('shared_sessions_track').on('shared_sessions').columns(['track_id', 'unit_id', 'session_id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('shared_sessions_track').execute();
    },
  },
  '0004-track-registry': {
    async up(db: Kysely<unknown>) {
      // One row per organisation: its registry's newest version (a push locks it, so one
      // organisation's pushes apply one at a time, in every hub process).
      await db.schema
        .createTable('registry_heads')
        .addColumn('organisation_id', 'text', (c) => c.primaryKey().references('organisations.id'))
        .addColumn('version', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('registry_entries')
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('registry_id', 'text')
        .addColumn('aliases', 'text')
        .addColumn('signature', 'text')
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('registry_entries_pk', ['organisation_id', 'kind', 'key'])
        .execute();
      await db.schema.createIndex('registry_entries_version').on('registry_entries').columns(['organisation_id', 'version']).execute();
      await db.schema
        .createTable('registry_versions')
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('laptop', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('registry_versions_pk', ['organisation_id', 'version'])
        .execute();
      await db.schema.createIndex('registry_versions_key').on('registry_versions').columns(['organisation_id', 'kind', 'key', 'version']).execute();
      // A laptop (its clock's node id) belongs to the member who pushed from it first; its high
      // water is the newest stamp of its own it has pushed (hlcText, which sorts as stamps do).
      await db.schema
        .createTable('registry_laptops')
        .addColumn('node', 'text', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('high_water', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['registry_laptops', 'registry_versions', 'registry_entries', 'registry_heads']) await db.schema.dropTable(t).execute();
    },
  },
  '0006-team-rosters': {
    async up(db: Kysely<unknown>) {
      // One row per academy: its rosters' newest version (a roster write locks it, so one
      // academy's roster edits apply one at a time, in every hub process).
      await db.schema
        .createTable('roster_heads')
        .addColumn('organisation_id', 'text', (c) => c.primaryKey().references('organisations.id'))
        .addColumn('version', 'bigint', (c) => c.notNull())
        .execute();
      // Each group's roster as CRDT state (JSON, protocol's Roster); group_members follows it.
      await db.schema
        .createTable('group_rosters')
        .addColumn('group_id', 'text', (c) => c.primaryKey().references('groups.id'))
        .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('group_rosters_version').on('group_rosters').columns(['organisation_id', 'version']).execute();
      await seedRosters(db as Kysely<HubTables>);
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['group_rosters', 'roster_heads']) await db.schema.dropTable(t).execute();
      },
    },
  // Fleet distributions read a track's laps packed as float64 columns, written with each shared
  // session, instead of parsing every session's laps JSON per request (75 of the 130 ms of CPU
  // for 100,000 laps). Sessions shared before are packed here, a page at a time.
  '0007-fleet-lap-columns': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('fleet_lap_columns')
        .addColumn('unit_id', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('track_id', 'text', (c) => c.notNull())
        .addColumn('driver_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('laps', 'integer', (c) => c.notNull())
        .addColumn('sectors', 'integer', (c) => c.notNull())
        // bytea: PostgreSQL's bytes; SQLite stores the bytes as they are under any type name.
        .addColumn('columns', 'bytea', (c) => c.notNull())
        .addPrimaryKeyConstraint('fleet_lap_columns_pk', ['unit_id', 'session_id'])
        .execute();
      await db.schema.createIndex('fleet_lap_columns_track').on('fleet_lap_columns').columns(['track_id', 'unit_id', 'session_id']).execute();
      // Nothing reads shared_sessions by track any more: its index (0003) would only slow shares.
      await db.schema.dropIndex('shared_sessions_track').execute();
      const hub = db as Kysely<HubTables>;
      for (let after: [string, string] = ['', '']; ; ) {
        const page = await hub
          .selectFrom('shared_sessions')
          .select(['unit_id', 'session_id', 'driver_id', 'started_at', 'track_id', 'laps'])
          .where((eb) => eb(eb.refTuple('unit_id', 'session_id'), '>', eb.tuple(after[0], after[1])))
          .orderBy('unit_id')
          .orderBy('session_id')
          .limit(500)
          .execute();
        if (page.length === 0) break;
        await writeFleetLapColumns(hub, page);
        after = [page.at(-1)!.unit_id, page.at(-1)!.session_id];
      }
    },
    async down(db: Kysely<unknown>) {
      await db.schema.createIndex('shared_sessions_track').on('shared_sessions').columns(['track_id', 'unit_id', 'session_id']).execute();
      await db.schema.dropTable('fleet_lap_columns').execute();
      },
    },
  // Per-address allowances of the public routes, in the database so every hub process shares them.
  '0008-rate-limits': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rate_limits')
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('minute', 'integer', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('rate_limits_pk', ['bucket', 'minute'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('rate_limits').execute();
    },
  },
  // Each member's requests in the current minute, on the member's own row: the token's lookup
  // counts it in the same statement (no extra round trip on a member route). And a laptop belongs
  // to a member per organisation, not hub-wide: a member of one academy naming another's laptop
  // first no longer locks that laptop out (SQLite cannot change a primary key: the table is made anew).
  '0009-member-allowances': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('members').addColumn('allowance_minute', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('members').addColumn('allowance_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await remakeLaptops(db, ['organisation_id', 'node']);
    },
    async down(db: Kysely<unknown>) {
      await remakeLaptops(db, ['node']);
      await db.schema.alterTable('members').dropColumn('allowance_count').execute();
      await db.schema.alterTable('members').dropColumn('allowance_minute').execute();
    },
  },
  // PostgreSQL shares a batch of sessions in one statement (team/share-sessions-postgres.ts): a
  // refusal found inside it must abort it, and SQL has no RAISE of its own. SQLite needs none.
  '0010-hub-refuse': {
    async up(db: Kysely<unknown>) {
      if (!isPostgres(db)) return;
      await sql`CREATE FUNCTION hub_refuse(code text) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
        BEGIN RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = code; END
      $$`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      if (isPostgres(db)) await sql`DROP FUNCTION hub_refuse(text)`.execute(db);
    },
  },
  // A forward challenge names the member who asked for it: each may hold a bounded number at once.
  '0011-challenge-members': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('challenges').addColumn('member_id', 'text').execute();
      await db.schema.createIndex('challenges_member').on('challenges').columns(['member_id', 'purpose']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('challenges_member').execute();
      await db.schema.alterTable('challenges').dropColumn('member_id').execute();
    },
  },
};

/** registry_laptops with another primary key, its rows kept (going back to `node` alone keeps each node's first row). */
async function remakeLaptops(db: Kysely<unknown>, key: ['organisation_id', 'node'] | ['node']): Promise<void> {
  await db.schema
    .createTable('registry_laptops_new')
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('high_water', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint(`registry_laptops_pk_${key.length}`, key)
    .execute();
  const both = db as Kysely<{ registry_laptops: HubTables['registry_laptops']; registry_laptops_new: HubTables['registry_laptops'] }>;
  // `WHERE true`: SQLite reads an ON CONFLICT straight after a SELECT's FROM as a join's clause.
  const rows = both.selectFrom('registry_laptops').select(['node', 'member_id', 'organisation_id', 'high_water']).where(sql<boolean>`true`);
  await both
    .insertInto('registry_laptops_new')
    .columns(['node', 'member_id', 'organisation_id', 'high_water'])
    .expression(rows)
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db.schema.dropTable('registry_laptops').execute();
  await db.schema.alterTable('registry_laptops_new').renameTo('registry_laptops').execute();
}

/**
 * The groups made before rosters, as rosters: each member added by the hub at the epoch (stamp
 * ms 0, so every real edit made since wins over them), tags numbered per member. Written out here
 * rather than through the protocol's functions, so this migration stays what it was.
 */
async function seedRosters(db: Kysely<HubTables>): Promise<void> {
  const stamp = (n: number) => ({ ms: 0, n, node: 'hub' });
  const tag = (n: number) => `${'0'.repeat(16)}.${n.toString(16).padStart(8, '0')}.hub`;
  const groups = await db.selectFrom('groups').select(['id', 'organisation_id', 'name']).orderBy('organisation_id').orderBy('created_at').orderBy('id').execute();
  const heads = new Map<string, number>();
  for (const g of groups) {
    const members = await db.selectFrom('group_members').select(['member_id', 'role']).where('group_id', '=', g.id).orderBy('member_id').execute();
    const state = { name: { value: g.name.slice(0, 80), at: stamp(0) }, members: { adds: {} as Record<string, string[]>, removed: [] }, roles: {} as Record<string, unknown> };
    members.forEach((m, i) => {
      state.members.adds[m.member_id] = [tag(i + 1)];
      state.roles[m.member_id] = { value: m.role, at: stamp(i + 1) };
    });
    const version = (heads.get(g.organisation_id) ?? 0) + 1;
    heads.set(g.organisation_id, version);
    await db.insertInto('group_rosters').values({ group_id: g.id, organisation_id: g.organisation_id, state: JSON.stringify(state), version }).execute();
  }
  for (const [organisation_id, version] of heads) await db.insertInto('roster_heads').values({ organisation_id, version }).execute();
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

const migrator = (db: Kysely<unknown>) => new Migrator({ db, provider, migrationTableName: 'hub_migrations', migrationLockTableName: 'hub_migrations_lock' });

/** Brings the database to the newest schema; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) throw new Error(`hub database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  return (results ?? []).map((r) => r.migrationName);
}

export const MIGRATION_NAMES = Object.keys(migrations);

/** Brings the database up to one named migration and no further (a test of a data migration starts before it). */
export async function migrateUpTo(db: Kysely<unknown>, name: string): Promise<void> {
  const { error } = await migrator(db).migrateTo(name);
  if (error) throw new Error(`hub database migration to ${name} failed: ${(error as Error).message ?? String(error)}`);
}
