import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { openDatabase } from '../../../src/db/open-database.js';
import { addMember, authenticateMember, createOrganisation } from '../../../src/organisations/members.js';
import { claimLaptop } from '../../../src/registry/registry-push.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';

// Migration 0009 keys a laptop by organisation and node (it was the node alone, hub-wide: a member
// of one academy could take another's laptop id first). Laptops pushed from before keep their
// member and high water.
for (const kind of DATABASE_KINDS) {
  describe(`migration 0009: laptops per organisation (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    after(() => dbs.close());

    test("a laptop pushed from before keeps its member and high water; another academy's member may name the same id in theirs", async () => {
      const target = await dbs.target();
      const old = await openDatabase(target, { migrateUpTo: '0008-rate-limits' });
      const north = await createOrganisation(old.db, 'North', 'academy');
      const south = await createOrganisation(old.db, 'South', 'academy');
      const n = await addMember(old.db, north, 'North coach', 'member');
      const s = await addMember(old.db, south, 'South coach', 'member');
      await old.db.insertInto('registry_laptops').values({ node: 'laptop-0a0b0c0d0e0f', member_id: n.memberId, organisation_id: north, high_water: '0000000000001.00000000.laptop-0a0b0c0d0e0f' }).execute();
      await old.close();

      const hub = await dbs.fresh(target);
      assert.deepEqual(await hub.db.selectFrom('registry_laptops').selectAll().execute(), [
        { node: 'laptop-0a0b0c0d0e0f', member_id: n.memberId, organisation_id: north, high_water: '0000000000001.00000000.laptop-0a0b0c0d0e0f' },
      ]);
      const southCoach = await authenticateMember(hub.db, `Bearer ${s.token}`);
      await hub.db.transaction().execute((trx) => claimLaptop(trx, southCoach, 'laptop-0a0b0c0d0e0f'));
      const rows = await hub.db.selectFrom('registry_laptops').select(['organisation_id', 'member_id']).where('node', '=', 'laptop-0a0b0c0d0e0f').execute();
      assert.deepEqual(new Set(rows.map((r) => `${r.organisation_id}:${r.member_id}`)), new Set([`${north}:${n.memberId}`, `${south}:${s.memberId}`]));
      // Within one organisation the first member keeps it.
      const other = await addMember(hub.db, north, 'North driver', 'member');
      const northDriver = await authenticateMember(hub.db, `Bearer ${other.token}`);
      await assert.rejects(hub.db.transaction().execute((trx) => claimLaptop(trx, northDriver, 'laptop-0a0b0c0d0e0f')), /another member of your organisation/);
    });
  });
}
