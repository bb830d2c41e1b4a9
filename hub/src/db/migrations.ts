import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';

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
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the database to the newest schema; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({ db, provider, migrationTableName: 'hub_migrations', migrationLockTableName: 'hub_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) throw new Error(`hub database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  return (results ?? []).map((r) => r.migrationName);
}

export const MIGRATION_NAMES = Object.keys(migrations);
