import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { HubCallError, HubClient } from '@pitwall/protocol/node';
import { loadHubSigningKey } from '../../../../hub/src/hub-signing-key.js';
import { addMember, createOrganisation } from '../../../../hub/src/organisations/members.js';
import { buildHubServer } from '../../../../hub/src/server.js';
import { DATABASE_KINDS, TestDatabases } from '../../../../hub/test/helpers/hub-databases.js';
import type { HubDatabase } from '../../../../hub/src/db/open-database.js';
import { TeamRosters } from '../../../src/hub/team-rosters.js';
import { openDatabase, type Db } from '../../../src/store/database.js';

// Laptops (companion stores) and a real hub on loopback: a coach edits a roster offline, the
// admin's laptop edits it too, both sync; the hub's members follow the merge and each laptop sees
// what came from elsewhere. A driver's laptop pushing roster edits is refused and keeps them.
for (const kind of DATABASE_KINDS) {
  describe(`team rosters synced by companions (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let hubDb: HubDatabase;
    let app: FastifyInstance;
    let url: string;
    const stores: Db[] = [];
    const laptop = (): Db => {
      const db = openDatabase(null);
      stores.push(db);
      return db;
    };
    before(async () => {
      hubDb = await dbs.fresh();
      app = buildHubServer({ db: hubDb.db, key: await loadHubSigningKey(`${dbs.tempDir()}/hub-key.pem`) });
      url = await app.listen({ host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      for (const s of stores) s.close();
      await app.close();
      await dbs.close();
    });

    test('offline edits on two laptops merge on the hub; each laptop sees the edits made elsewhere; a driver is refused', async () => {
      const academy = await createOrganisation(hubDb.db, 'Academy', 'academy');
      const adminM = await addMember(hubDb.db, academy, 'Ada Admin', 'admin');
      const admin = new HubClient(url, { token: adminM.token });
      const people = Object.fromEntries(await Promise.all(['Cory', 'Dee', 'Dan', 'Dot'].map(async (n) => [n, await addMember(hubDb.db, academy, n, 'member')] as const)));
      const id = (n: string) => people[n]!.memberId;
      const group = (await admin.createGroup('Team Red')).groupId;
      await admin.addGroupMember(group, id('Cory'), 'coach');
      await admin.addGroupMember(group, id('Dee'), 'driver');
      await admin.addGroupMember(group, id('Dan'), 'driver');

      const coachDb = laptop();
      const coach = new TeamRosters(coachDb, url);
      const coachHub = new HubClient(url, { token: people.Cory!.token });
      const adminLaptop = new TeamRosters(laptop(), url);
      const first = await coach.sync(coachHub);
      assert.equal(first.pushed, null);
      assert.equal(first.pulled, 1);
      assert.deepEqual(coach.show(group).members.map((m) => [m.name, m.role]), [['Cory', 'coach'], ['Dee', 'driver'], ['Dan', 'driver']].sort((a, b) => (id(a[0]!) < id(b[0]!) ? -1 : 1)));
      await adminLaptop.sync(admin);

      // At the track, no network: the coach drops Dee, takes Dot on, makes Dan an analyst.
      coach.edit(group, { kind: 'remove', memberId: id('Dee') });
      coach.edit(group, { kind: 'add', memberId: id('Dot'), role: 'driver' });
      coach.edit(group, { kind: 'set-role', memberId: id('Dan'), role: 'analyst' });
      assert.equal(coach.show(group).pending, true);
      // The admin, offline elsewhere, renames the team and drops Dan; that laptop syncs first.
      adminLaptop.edit(group, { kind: 'rename', name: 'Team Red (May)' });
      adminLaptop.edit(group, { kind: 'remove', memberId: id('Dan') });
      assert.equal((await adminLaptop.sync(admin)).pushed?.groups[0]?.outcome, 'merged');

      const back = await coach.sync(coachHub);
      assert.equal(back.pushed?.groups[0]?.outcome, 'merged');
      // What the coach's laptop reports: only what came from elsewhere (the admin's rename and removal), not its own edits.
      assert.deepEqual(back.changes.map((c) => [c.change, c.memberId, c.to]), [['name', null, 'Team Red (May)'], ['member-removed', id('Dan'), null]]);
      assert.match(back.changes[0]!.by!, /^laptop-[0-9a-f]{12}$/, "the admin's laptop made the rename");
      const view = coach.show(group);
      assert.equal(view.pending, false);
      assert.equal(view.name, 'Team Red (May)');
      const expected = [[id('Cory'), 'coach'], [id('Dot'), 'driver']].sort();
      assert.deepEqual(view.members.map((m) => [m.memberId, m.role]), expected);
      // The report kept here: the admin's edits only. The first pull had nothing here to merge with, so it reported nothing.
      assert.deepEqual(first.changes, [], 'the first pull reports nothing as merged');
      assert.deepEqual(view.merged.map((c) => c.change), ['name', 'member-removed']);
      const table = await hubDb.db.selectFrom('group_members').select(['member_id', 'role']).where('group_id', '=', group).orderBy('member_id').execute();
      assert.deepEqual(table.map((r) => [r.member_id, r.role]), expected, "the hub's members follow the merge");
      // The admin's laptop catches up to the same roster; a sync with nothing new pulls nothing.
      await adminLaptop.sync(admin);
      assert.deepEqual(adminLaptop.show(group).members, view.members);
      const again = await coach.sync(coachHub);
      assert.deepEqual([again.pushed, again.pulled, again.changes], [null, 0, []]);

      // Dot, a driver, edits on their laptop: the hub refuses; the edits stay here, marked, until discarded.
      const dotDb = laptop();
      const dot = new TeamRosters(dotDb, url);
      const dotHub = new HubClient(url, { token: people.Dot!.token });
      assert.deepEqual((await dot.sync(dotHub)).changes, [], "a laptop's first pull merges nothing from elsewhere");
      dot.edit(group, { kind: 'set-role', memberId: id('Dot'), role: 'coach' });
      await assert.rejects(dot.sync(dotHub), (e: unknown) => e instanceof HubCallError && e.status === 403 && e.code === 'not-a-coach');
      assert.equal(dot.show(group).pending, true);
      const after = await hubDb.db.selectFrom('group_members').select(['member_id', 'role']).where('group_id', '=', group).orderBy('member_id').execute();
      assert.deepEqual(after.map((r) => [r.member_id, r.role]), expected, 'nothing written');
      dot.discard(group);
      assert.deepEqual((await dot.sync(dotHub)).changes, [], 'after a discard the pull is a first pull again: nothing reported');
      assert.deepEqual(dot.show(group).merged, []);
      assert.equal(dot.show(group).members.find((m) => m.memberId === id('Dot'))?.role, 'driver');
      assert.equal(dot.show(group).pending, false);
    });
  });
}
