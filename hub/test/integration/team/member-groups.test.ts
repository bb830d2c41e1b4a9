import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HubRoutes, memberGroups, type Group } from '@pitwall/protocol';
import { addMember } from '../../../src/organisations/members.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';

// GET /hub/v1/me: a member reads their own groups and roles, never another member's or another academy's.
for (const kind of DATABASE_KINDS) {
  describe(`team mode: a member's own groups (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const me = (token: string) => f.app.inject({ method: 'GET', url: HubRoutes.myGroups.path, headers: as(token) });
    const group = async (name: string) => {
      const res = await f.app.inject({ method: 'POST', url: HubRoutes.createGroup.path, headers: as(f.academyToken), payload: { name } });
      assert.equal(res.statusCode, 201, res.body);
      return (res.json() as Group).groupId;
    };
    const join = async (groupId: string, memberId: string, role: string) => {
      const res = await f.app.inject({ method: 'POST', url: HubRoutes.addGroupMember.path.replace(':groupId', groupId), headers: as(f.academyToken), payload: { memberId, role } });
      assert.equal(res.statusCode, 200, res.body);
    };

    before(async () => {
      f = await hubFixture(dbs);
    });
    after(() => dbs.close());

    test('lists the groups the caller is in with their role, by name; others are not shown', async () => {
      const dee = await addMember(f.hubDb.db, f.academyId, 'Dee Driver', 'member');
      const cory = await addMember(f.hubDb.db, f.academyId, 'Cory Coach', 'member');
      const red = await group('Team Red');
      const may = await group('Class of May');
      const blue = await group('Team Blue');
      await join(red, dee.memberId, 'driver');
      await join(may, dee.memberId, 'analyst');
      await join(red, cory.memberId, 'coach');
      await join(blue, cory.memberId, 'coach');

      const res = await me(dee.token);
      assert.equal(res.statusCode, 200, res.body);
      const answer = memberGroups.parse(res.json());
      assert.equal(answer.memberId, dee.memberId);
      assert.equal(answer.name, 'Dee Driver');
      assert.deepEqual(answer.organisation, { id: f.academyId, name: 'Kart Academy North', kind: 'academy' });
      assert.deepEqual(answer.groups, [
        { groupId: may, name: 'Class of May', role: 'analyst' },
        { groupId: red, name: 'Team Red', role: 'driver' },
      ]);
      // A role changed on the hub shows at the next ask.
      await join(red, dee.memberId, 'coach');
      assert.equal(memberGroups.parse((await me(dee.token)).json()).groups.find((g) => g.groupId === red)?.role, 'coach');
      assert.deepEqual(memberGroups.parse((await me(cory.token)).json()).groups.map((g) => g.name), ['Team Blue', 'Team Red']);
    });

    test('a member of no group, or of another academy, sees no groups; no token is refused', async () => {
      const stranger = await addMember(f.hubDb.db, f.otherAcademyId, 'Sam Stranger', 'member');
      const answer = memberGroups.parse((await me(stranger.token)).json());
      assert.deepEqual(answer.groups, []);
      assert.equal(answer.organisation.name, 'Academy South');
      const none = await f.app.inject({ method: 'GET', url: HubRoutes.myGroups.path });
      assert.equal(none.statusCode, 401);
      assert.equal(none.json().error.code, 'unauthenticated');
      const forged = await me(`pwh_${'A'.repeat(43)}`);
      assert.equal(forged.statusCode, 401);
    });
  });
}
