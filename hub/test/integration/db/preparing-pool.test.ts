import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../../src/db/open-database.js';
import { addMember, createOrganisation } from '../../../src/organisations/members.js';
import { addGroupMember, createGroup } from '../../../src/team/groups.js';
import { shareSessions } from '../../../src/team/share-sessions.js';
import { TestDatabases } from '../../helpers/hub-databases.js';

// The hub's PostgreSQL connections prepare a statement once by name and reuse it; one-offs with
// many parameters are not kept. Read from PostgreSQL's own list of the session's prepared statements.
describe('statements prepared once per connection (postgres)', () => {
  const dbs = new TestDatabases('postgres');
  after(() => dbs.close());

  test('a statement run again reuses its prepared form; a wide one-off is not kept; answers are unchanged', async () => {
    const hub = await openDatabase(await dbs.target(), { poolSize: 1 });
    try {
      const { db } = hub;
      const byName = (name: string) => db.selectFrom('organisations').select('id').where('name', '=', name).where('kind', '=', 'academy');
      for (const name of ['a', 'b', 'c']) await db.insertInto('organisations').values({ id: `id-${name}`, name, kind: 'academy', created_at: '2026-01-01T00:00:00.000Z' }).execute();
      for (const name of ['a', 'b', 'c', 'a']) assert.deepEqual(await byName(name).execute(), [{ id: `id-${name}` }]);
      const wide = await db.selectFrom('organisations').select('id').where('id', 'in', Array.from({ length: 150 }, (_, i) => `id-${String.fromCharCode(97 + (i % 3))}`)).orderBy('id').execute();
      assert.deepEqual(wide.map((r) => r.id), ['id-a', 'id-b', 'id-c']);
      const prepared = await sql<{ statement: string; count: string }>`SELECT statement, count(*) OVER () AS count FROM pg_prepared_statements WHERE statement NOT LIKE ${'%pg_prepared_statements%'}`.execute(db);
      const texts = prepared.rows.map((r) => r.statement);
      const lookup = byName('x').compile().sql;
      assert.equal(texts.filter((t) => t === lookup).length, 1, 'the lookup is prepared once and reused');
      assert.ok(!texts.some((t) => t.includes('$150')), 'the 150-parameter one-off is not kept');
    } finally {
      await hub.close();
    }
  });

  test('a batch share is one statement text whatever its number of sessions, groups and units: one plan kept, not one per size', async () => {
    const hub = await openDatabase(await dbs.target(), { poolSize: 1 });
    try {
      const { db } = hub;
      const org = await createOrganisation(db, 'Prepared Academy', 'academy');
      const admin = { id: (await addMember(db, org, 'Admin', 'admin')).memberId, name: 'Admin', role: 'admin', organisationId: org, organisationKind: 'academy' as const };
      const driver = { id: (await addMember(db, org, 'Driver', 'member')).memberId, name: 'Driver', role: 'member', organisationId: org, organisationKind: 'academy' as const };
      const groups: string[] = [];
      for (let i = 0; i < 6; i++) {
        const g = await createGroup(db, admin, `G${i}`, Date.now());
        await addGroupMember(db, admin, g.groupId, driver.id, 'driver');
        groups.push(g.groupId);
      }
      const laps = [{ lap: 1, timeMs: 61_000, sectorsMs: [20_000, 20_000, 21_000] }];
      for (let n = 1; n <= 6; n++) {
        const items = Array.from({ length: n }, (_, i) => ({ unitId: `unit-${n}-${i % 2}`, sessionId: `s${i}`, startedAt: '2026-05-01T10:00:00.000Z', trackId: 'catalog:lydd-international', laps, groups: groups.slice(0, n) }));
        await shareSessions(db, driver, items, Date.now());
      }
      const shares = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE ${'%INSERT INTO shared_sessions%'}`.execute(db);
      assert.equal(Number(shares.rows[0]!.n), 1);
    } finally {
      await hub.close();
    }
  });
});
