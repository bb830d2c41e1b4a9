import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { HubRoutes, type Group, type HubFleetDistribution, type SharedSessionUpload } from '@pitwall/protocol';
import { addMember } from '../../../src/organisations/members.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';

interface Person {
  id: string;
  token: string;
}

const TRACK = 'catalog:lydd-international';
const lap = (n: number, sectorsMs: number[]) => ({ lap: n, timeMs: sectorsMs.reduce((a, b) => a + b, 0), sectorsMs });
const session = (groups: string[], laps: SharedSessionUpload['laps'], trackId = TRACK): SharedSessionUpload => ({ startedAt: '2026-05-01T10:00:00.000Z', trackId, laps, groups });

// Fleet distributions on the hub, at the API and on both databases: a group's laps for its
// members only, the organisation's for the groups the caller is in, hand-computed figures.
for (const kind of DATABASE_KINDS) {
  describe(`hub fleet distributions (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    const people: Record<string, Person> = {};
    const groups: Record<string, string> = {};
    const person = async (orgId: string, name: string, role = 'member'): Promise<Person> => {
      const m = await addMember(f.hubDb.db, orgId, name, role);
      return (people[name] = { id: m.memberId, token: m.token });
    };
    const as = (who: Person, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
      f.app.inject({ method, url, headers: { authorization: `Bearer ${who.token}` }, ...(payload ? { payload } : {}) });
    const newGroup = async (admin: Person, name: string) => {
      const res = await as(admin, 'POST', HubRoutes.createGroup.path, { name });
      assert.equal(res.statusCode, 201, res.body);
      return (groups[name] = (res.json() as Group).groupId);
    };
    const join = async (admin: Person, groupId: string, who: Person, role: string) =>
      assert.equal((await as(admin, 'POST', HubRoutes.addGroupMember.path.replace(':groupId', groupId), { memberId: who.id, role })).statusCode, 200);
    const share = async (who: Person, sessionId: string, body: SharedSessionUpload) =>
      assert.equal((await as(who, 'PUT', HubRoutes.shareSession.path.replace(':unitId', randomUUID()).replace(':sessionId', sessionId), body)).statusCode, 200);
    const fleet = (who: Person, query = '', trackId = TRACK) => as(who, 'GET', `${HubRoutes.fleetDistribution.path.replace(':trackId', trackId)}${query}`);

    before(async () => {
      f = await hubFixture(dbs);
      const admin = await person(f.academyId, 'Ada', 'admin');
      const otherAdmin = await person(f.otherAcademyId, 'Bo', 'admin');
      const red = await newGroup(admin, 'Red');
      const blue = await newGroup(admin, 'Blue');
      const south = await newGroup(otherAdmin, 'South');
      for (const n of ['Dee', 'Eve']) await join(admin, red, await person(f.academyId, n), 'driver');
      await join(admin, blue, await person(f.academyId, 'Fay'), 'driver');
      await join(admin, red, await person(f.academyId, 'Ann'), 'analyst');
      const coach = await person(f.academyId, 'Cal');
      await join(admin, red, coach, 'coach');
      await join(admin, blue, coach, 'coach');
      await join(otherAdmin, south, await person(f.otherAcademyId, 'Sid'), 'driver');
      await share(people.Dee!, 'd1', session([red], [lap(1, [20_000, 21_000, 22_000]), lap(2, [19_500, 21_500, 21_000])]));
      await share(people.Eve!, 'e1', session([red], [lap(1, [19_800, 20_500, 21_800])]));
      await share(people.Eve!, 'e2', session([red], [lap(1, [10_000, 10_000])], 'catalog:another-track'));
      await share(people.Fay!, 'f1', session([blue], [lap(1, [19_000, 20_000, 21_000])]));
      await share(people.Sid!, 's1', session([south], [lap(1, [15_000, 15_000, 15_000])]));
    });
    after(() => dbs.close());

    test("a group's laps, for its members: hand-computed lap times, theoretical best and a marked driver", async () => {
      const res = await fleet(people.Ann!, `?groupId=${groups.Red}&mark=Dee`);
      assert.equal(res.statusCode, 200, res.body);
      const { scope, groups: read, distribution: d } = res.json() as HubFleetDistribution;
      assert.equal(scope, 'group');
      assert.deepEqual(read, [groups.Red]);
      assert.equal(d.laps, 3, "Red's three laps on this track (Eve's other track and Blue's lap left out)");
      assert.deepEqual(d.members.map((m) => [m.name, m.laps, m.bestMs]).sort(), [['Dee', 2, 62_000], ['Eve', 1, 62_100]]);
      assert.equal(d.lapTimes.box?.min, 62_000);
      assert.equal(d.lapTimes.box?.max, 63_000);
      // Best sectors of the group: 19,500 (Dee) + 20,500 (Eve) + 21,000 (Dee).
      assert.equal(d.theoreticalBest.ms, 61_000);
      assert.deepEqual(d.theoreticalBest.sectors.map((s) => s.by), ['Dee', 'Eve', 'Dee']);
      assert.deepEqual(d.markedLapsMs, [63_000, 62_000], "Dee's laps in lap order");
      assert.deepEqual(d.progress.find((p) => p.name === 'Dee')?.days, [{ day: '2026-05-01', bestMs: 62_000, laps: 2 }]);
      assert.deepEqual(d.corners, []);
    });

    test('the organisation: every group the caller is in, and never one they are not', async () => {
      const coach = (await fleet(people.Cal!)).json() as HubFleetDistribution;
      assert.equal(coach.scope, 'organisation');
      assert.deepEqual([...coach.groups].sort(), [groups.Red, groups.Blue].sort());
      assert.equal(coach.distribution.laps, 4, 'Red and Blue, not the other academy');
      assert.equal(coach.distribution.lapTimes.box?.min, 60_000);
      const analyst = (await fleet(people.Ann!, '?groupBy=unit')).json() as HubFleetDistribution;
      assert.deepEqual(analyst.groups, [groups.Red]);
      assert.equal(analyst.distribution.laps, 3, "Blue's lap is not the analyst's to see");
      assert.equal(analyst.distribution.members.length, 2, 'two units');
      // The academy's admin is in no group: the organisation's laps are still only the groups' members'.
      assert.equal(((await fleet(people.Ada!)).json() as HubFleetDistribution).distribution.laps, 0);
      const south = (await fleet(people.Sid!)).json() as HubFleetDistribution;
      assert.deepEqual(south.distribution.members.map((m) => m.name), ['Sid']);
    });

    test('another group, another academy, a stranger, a bad query: refused, nothing told', async () => {
      for (const [who, group] of [
        ['Ann', 'Blue'],
        ['Fay', 'Red'],
        ['Sid', 'Red'],
        ['Bo', 'Red'],
        ['Ada', 'Red'],
      ] as const) {
        const res = await fleet(people[who]!, `?groupId=${groups[group]}`);
        assert.equal(res.statusCode, 404, `${who} reading ${group}`);
        assert.equal(res.json().error.code, 'no-such-group');
      }
      assert.equal((await fleet(people.Ann!, `?groupId=${'0'.repeat(32)}`)).json().error.code, 'no-such-group');
      assert.equal((await f.app.inject({ method: 'GET', url: HubRoutes.fleetDistribution.path.replace(':trackId', TRACK) })).statusCode, 401);
      assert.equal((await fleet(people.Ann!, '?groupBy=lap')).statusCode, 400);
      assert.equal((await fleet(people.Ann!, '?groupId=x')).statusCode, 400);
      assert.equal((await fleet(people.Ann!, '', 'no%20spaces')).statusCode, 400);
      assert.equal(((await fleet(people.Ann!, '', 'catalog:nowhere')).json() as HubFleetDistribution).distribution.laps, 0);
    });
  });
}
