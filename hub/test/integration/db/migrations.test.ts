import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { MIGRATION_NAMES } from '../../../src/db/migrations.js';
import { openDatabase } from '../../../src/db/open-database.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';

const TABLES = ['audit', 'fleet_lap_columns', 'challenges', 'claim_codes', 'dealer_academies', 'group_members', 'groups', 'members', 'organisations', 'session_shares', 'shared_sessions', 'units', 'registry_heads', 'registry_entries', 'registry_versions', 'registry_laptops', 'roster_heads', 'group_rosters', 'rate_limits'];

for (const kind of DATABASE_KINDS) {
  describe(`migrations (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    after(() => dbs.close());

    test('the one migration set makes the same tables; hubs starting together migrate once', async () => {
      const target = await dbs.target();
      // PostgreSQL: three processes' worth of pools at once (the migrator's advisory lock); SQLite: one after another.
      const opened = kind === 'postgres' ? await Promise.all([openDatabase(target), openDatabase(target), openDatabase(target)]) : [await openDatabase(target), await openDatabase(target)];
      try {
        const { db } = opened[0]!;
        const applied = await db
          .selectFrom('hub_migrations' as never)
          .select(sql<string>`name`.as('name'))
          .execute();
        assert.deepEqual(applied.map((r) => r.name).sort(), [...MIGRATION_NAMES].sort());
        const tables = (await db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('hub_migrations'));
        assert.deepEqual(tables.sort(), [...TABLES].sort());
      } finally {
        for (const o of opened) await o.close();
      }
    });
  });
}
