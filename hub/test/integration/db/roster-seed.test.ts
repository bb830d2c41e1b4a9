import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { latestRosterStamp, roster, rosterMembers, type Roster } from '@pitwall/protocol';
import { openDatabase } from '../../../src/db/open-database.js';
import { addMember, createOrganisation } from '../../../src/organisations/members.js';
import { editRosterOnline } from '../../../src/team/roster-store.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';

// Migration 0006 turns the groups made before rosters into rosters: their members as adds of the
// hub at the epoch, so every real edit made since wins; the next online edit merges with them.
for (const kind of DATABASE_KINDS) {
  describe(`migration 0006-team-rosters seeds the groups there were (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    after(() => dbs.close());

    test("each group's members become its roster, and group_members stays as it was", async () => {
      const target = await dbs.target();
      const old = await openDatabase(target, { migrateUpTo: '0004-track-registry' });
      const org = await createOrganisation(old.db, 'Academy', 'academy');
      const [a, b, c] = await Promise.all(['A', 'B', 'C'].map((n) => addMember(old.db, org, n, 'member')));
      await old.db.insertInto('groups').values([
        { id: '1'.repeat(32), organisation_id: org, name: 'Red', created_at: '2026-01-01T00:00:00.000Z' },
        { id: '2'.repeat(32), organisation_id: org, name: 'Empty', created_at: '2026-01-02T00:00:00.000Z' },
      ]).execute();
      await old.db.insertInto('group_members').values([
        { group_id: '1'.repeat(32), member_id: a!.memberId, role: 'coach' },
        { group_id: '1'.repeat(32), member_id: b!.memberId, role: 'driver' },
      ]).execute();
      await old.close();

      const hub = await dbs.fresh(target);
      const rows = await hub.db.selectFrom('group_rosters').selectAll().orderBy('group_id').execute();
      assert.deepEqual(rows.map((r) => [r.group_id, Number(r.version)]), [['1'.repeat(32), 1], ['2'.repeat(32), 2]]);
      const red = JSON.parse(rows[0]!.state) as Roster;
      assert.ok(roster.is(red), 'a valid roster');
      assert.deepEqual(rosterMembers(red), [{ memberId: a!.memberId, role: 'coach' }, { memberId: b!.memberId, role: 'driver' }].sort((x, y) => (x.memberId < y.memberId ? -1 : 1)));
      assert.equal(red.name?.value, 'Red');
      assert.equal(latestRosterStamp(red)!.ms, 0, 'stamped at the epoch: every real edit wins');
      assert.equal(Number((await hub.db.selectFrom('roster_heads').select('version').where('organisation_id', '=', org).executeTakeFirstOrThrow()).version), 2);

      // An online edit afterwards merges with the seeded roster; a member put in by hand is adopted, not lost.
      await hub.db.insertInto('group_members').values({ group_id: '1'.repeat(32), member_id: c!.memberId, role: 'analyst' }).execute();
      assert.ok(await editRosterOnline(hub.db, org, '1'.repeat(32), { kind: 'set-role', memberId: b!.memberId, role: 'analyst' }, Date.now()));
      const members = await hub.db.selectFrom('group_members').select(['member_id', 'role']).where('group_id', '=', '1'.repeat(32)).orderBy('member_id').execute();
      assert.deepEqual(members.map((m) => [m.member_id, m.role]), [[a!.memberId, 'coach'], [b!.memberId, 'analyst'], [c!.memberId, 'analyst']].sort());
    });
  });
}
