import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  HubRoutes, editRoster, hlcText, latestRosterStamp, receiveHlc, rosterMembers, tickHlc,
  type Group, type Hlc, type Roster, type RosterEdit, type RosterPull, type RosterPushResult, type SharedSessionUpload,
} from '@pitwall/protocol';
import { addMember } from '../../../src/organisations/members.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';

interface Person {
  id: string;
  token: string;
}

const path = (p: string, params: Record<string, string>) => p.replace(/:([A-Za-z]+)/g, (_, k: string) => params[k]!);
const call = (app: FastifyInstance, who: Person, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${who.token}` }, ...(payload ? { payload } : {}) });

/** A laptop as the companion keeps one: a clock and the rosters it pulled and edited. */
class Laptop {
  clock: Hlc;
  rosters = new Map<string, Roster>();
  constructor(
    readonly node: string,
    private readonly app: FastifyInstance,
    readonly owner: Person,
  ) {
    this.clock = { ms: 0, n: 0, node };
  }
  async pull(): Promise<void> {
    const page = (await call(this.app, this.owner, 'GET', `${HubRoutes.rosterPull.path}?after=0&limit=100`)).json() as RosterPull;
    for (const r of page.rosters) {
      this.rosters.set(r.groupId, r.roster);
      const seen = latestRosterStamp(r.roster);
      if (seen) this.clock = receiveHlc(this.clock, seen, Date.now());
    }
  }
  edit(groupId: string, e: RosterEdit): void {
    this.clock = tickHlc(this.clock, Date.now());
    this.rosters.set(groupId, editRoster(this.rosters.get(groupId)!, e, this.clock));
  }
  push(groupIds: string[], rosters = this.rosters) {
    return call(this.app, this.owner, 'POST', HubRoutes.rosterPush.path, { laptop: this.node, rosters: Object.fromEntries(groupIds.map((g) => [g, rosters.get(g)!])) });
  }
}

const session = (groups: string[]): SharedSessionUpload => ({
  startedAt: '2026-05-01T10:00:00.000Z',
  trackId: 'catalog:lydd-international',
  laps: [{ lap: 1, timeMs: 61_000, sectorsMs: [20_000, 21_000, 20_000] }],
  groups,
});

// Rosters edited on laptops offline and online on the hub merge into group_members, whatever the
// order; who reads a group's sessions follows the merge. Same suite on both databases.
for (const kind of DATABASE_KINDS) {
  describe(`team rosters merged on the hub (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    let admin: Person;
    const person = async (name: string, org = f.academyId, role = 'member'): Promise<Person> => {
      const m = await addMember(f.hubDb.db, org, name, role);
      return { id: m.memberId, token: m.token };
    };
    const newGroup = async (name: string) => {
      const res = await call(f.app, admin, 'POST', HubRoutes.createGroup.path, { name });
      assert.equal(res.statusCode, 201, res.body);
      return (res.json() as Group).groupId;
    };
    const join = (who: Person, groupId: string, memberId: string, role: string) =>
      call(f.app, who, 'POST', path(HubRoutes.addGroupMember.path, { groupId }), { memberId, role });
    const table = async (groupId: string) =>
      (await f.hubDb.db.selectFrom('group_members').select(['member_id', 'role']).where('group_id', '=', groupId).orderBy('member_id').execute()).map((r) => `${r.member_id}:${r.role}`);
    const snapshot = async () => ({
      members: await f.hubDb.db.selectFrom('group_members').selectAll().orderBy('group_id').orderBy('member_id').execute(),
      rosters: await f.hubDb.db.selectFrom('group_rosters').selectAll().orderBy('group_id').execute(),
      heads: await f.hubDb.db.selectFrom('roster_heads').selectAll().execute(),
      groups: await f.hubDb.db.selectFrom('groups').selectAll().orderBy('id').execute(),
    });

    before(async () => {
      f = await hubFixture(dbs);
      admin = await person('Ada Admin', f.academyId, 'admin');
    });
    after(() => dbs.close());

    test('offline edits of two laptops and online edits merge to the same members in either order; isolation follows the merge', async () => {
      const [coach, d1, d2, d3, d4] = await Promise.all(['Cory Coach', 'Dee One', 'Dan Two', 'Dot Three', 'Del Four'].map((n) => person(n)));
      const groups = [await newGroup('Team Red'), await newGroup('Team Red again')];
      for (const g of groups) {
        assert.equal((await join(admin, g, coach!.id, 'coach')).statusCode, 200);
        for (const d of [d1!, d2!, d4!]) assert.equal((await join(admin, g, d.id, 'driver')).statusCode, 200);
      }
      const laptopC = new Laptop(`laptop-${randomUUID().slice(0, 8)}`, f.app, coach!);
      const laptopA = new Laptop(`laptop-${randomUUID().slice(0, 8)}`, f.app, admin);
      await laptopC.pull();
      await laptopA.pull();
      for (const g of groups) {
        // At the track, offline: the coach drops Dee and Del, takes Dot on, makes Dan an analyst, renames the team.
        laptopC.edit(g, { kind: 'remove', memberId: d1!.id });
        laptopC.edit(g, { kind: 'remove', memberId: d4!.id });
        laptopC.edit(g, { kind: 'add', memberId: d3!.id, role: 'driver' });
        laptopC.edit(g, { kind: 'set-role', memberId: d2!.id, role: 'analyst' });
        laptopC.edit(g, { kind: 'rename', name: 'Team Red (May)' });
        // The admin's laptop, offline too: Dan out.
        laptopA.edit(g, { kind: 'remove', memberId: d2!.id });
        // Online meanwhile: Dee put in again as an analyst (an add the coach's laptop never saw).
        assert.equal((await join(admin, g, d1!.id, 'analyst')).statusCode, 200);
      }
      const [g1, g2] = groups as [string, string];
      const pushed = async (l: Laptop, g: string) => {
        const res = await l.push([g]);
        assert.equal(res.statusCode, 200, res.body);
        return res.json() as RosterPushResult;
      };
      assert.equal((await pushed(laptopC, g1)).groups[0]!.outcome, 'merged');
      await pushed(laptopA, g1);
      await pushed(laptopA, g2);
      await pushed(laptopC, g2);
      // Pushing again changes nothing.
      const unchanged = (await pushed(laptopC, g1)).groups[0]!;
      assert.equal(unchanged.outcome, 'unchanged');
      const stored = await f.hubDb.db.selectFrom('group_rosters').select('version').where('group_id', '=', g1).executeTakeFirstOrThrow();
      assert.equal(unchanged.version, Number(stored.version), "the group's own version");

      const expected = [`${coach!.id}:coach`, `${d1!.id}:analyst`, `${d3!.id}:driver`].sort();
      assert.deepEqual(await table(g1), expected, 'Dee stays (re-added concurrently), Dan and Del are out, Dot is in');
      assert.deepEqual(await table(g2), expected, 'the other order of pushes gives the same members');
      const names = await f.hubDb.db.selectFrom('groups').select('name').where('id', 'in', groups).execute();
      assert.deepEqual(names.map((n) => n.name), ['Team Red (May)', 'Team Red (May)']);

      // Isolation follows: Dot shares a session with the group; Dee (re-added) reads it, Dan and Del (removed) do not.
      const unit = randomUUID();
      const share = await call(f.app, d3!, 'PUT', path(HubRoutes.shareSession.path, { unitId: unit, sessionId: 's1' }), session([g1]));
      assert.equal(share.statusCode, 200, share.body);
      const read = (who: Person) => call(f.app, who, 'GET', path(HubRoutes.readSession.path, { unitId: unit, sessionId: 's1' }));
      const list = (who: Person) => call(f.app, who, 'GET', path(HubRoutes.groupSessions.path, { groupId: g1 }));
      for (const reader of [d1!, coach!]) {
        assert.equal((await read(reader)).statusCode, 200);
        assert.equal((await list(reader)).json().sessions.length, 1);
      }
      for (const removed of [d2!, d4!]) {
        assert.equal((await read(removed)).json().error?.code, 'no-such-session');
        assert.equal((await list(removed)).json().error?.code, 'no-such-group');
      }
      // The laptops pull and hold what the hub holds.
      await laptopC.pull();
      await laptopA.pull();
      assert.deepEqual(rosterMembers(laptopC.rosters.get(g1)!), rosterMembers(laptopA.rosters.get(g1)!));
    });

    test("a driver's laptop, another group's coach and forged edits are refused with nothing written", async () => {
      const [coach, driver, other] = (await Promise.all(['Cleo Coach', 'Drew Driver', 'Olly Other'].map((n) => person(n)))) as [Person, Person, Person];
      const stranger = await person('Sam Stranger', f.otherAcademyId);
      const [g, h] = [await newGroup('Juniors'), await newGroup('Seniors')];
      await join(admin, g, coach.id, 'coach');
      await join(admin, g, driver.id, 'driver');
      await join(admin, h, driver.id, 'driver');
      const laptopD = new Laptop(`laptop-${randomUUID().slice(0, 8)}`, f.app, driver);
      const laptopC = new Laptop(`laptop-${randomUUID().slice(0, 8)}`, f.app, coach);
      await laptopD.pull();
      await laptopC.pull();
      assert.ok(!laptopC.rosters.has(h), 'a coach pulls only the groups they are in');
      let before = await snapshot();

      laptopD.edit(g, { kind: 'set-role', memberId: driver.id, role: 'coach' });
      laptopD.edit(g, { kind: 'remove', memberId: coach.id });
      const refusedAs = async (res: Awaited<ReturnType<Laptop['push']>>, status: number, code: string) => {
        assert.equal(res.statusCode, status, res.body);
        assert.equal(res.json().error.code, code);
        assert.deepEqual(await snapshot(), before, `${code}: nothing written`);
      };
      await refusedAs(await laptopD.push([g]), 403, 'not-a-coach');
      // The coach's own group with a group they do not coach: neither is written.
      laptopC.edit(g, { kind: 'add', memberId: other.id, role: 'driver' });
      laptopC.rosters.set(h, laptopD.rosters.get(h)!);
      await refusedAs(await laptopC.push([g, h]), 403, 'not-a-coach');
      // The driver's edits laundered through the coach's laptop: not its own.
      await refusedAs(await laptopC.push([g], new Map([[g, laptopD.rosters.get(g)!]])), 409, 'edit-of-another-laptop');
      // Someone of another academy; the hub's own node; a stamp far ahead; a stamp the hub holds with another value.
      const withStranger = new Map(laptopC.rosters);
      withStranger.set(g, editRoster(laptopC.rosters.get(g)!, { kind: 'add', memberId: stranger.id, role: 'driver' }, tickHlc(laptopC.clock, Date.now())));
      await refusedAs(await laptopC.push([g], withStranger), 404, 'no-such-member');
      await refusedAs(await call(f.app, coach, 'POST', HubRoutes.rosterPush.path, { laptop: 'hub', rosters: { [g]: laptopC.rosters.get(g)! } }), 400, 'reserved-laptop-id');
      const ahead = new Map([[g, editRoster(laptopC.rosters.get(g)!, { kind: 'rename', name: 'Forever' }, { ms: Date.now() + 3 * 86_400_000, n: 0, node: laptopC.node })]]);
      await refusedAs(await laptopC.push([g], ahead), 400, 'stamp-in-future');
      const held = laptopC.rosters.get(g)!.roles[driver.id]!;
      const forged = new Map([[g, { ...laptopC.rosters.get(g)!, roles: { ...laptopC.rosters.get(g)!.roles, [driver.id]: { value: 'coach' as const, at: held.at } } }]]);
      await refusedAs(await laptopC.push([g], forged), 409, 'conflicting-edit');
      // Bad bodies: an add without a role, a tag that is no stamp.
      const r = laptopC.rosters.get(g)!;
      await refusedAs(await call(f.app, coach, 'POST', HubRoutes.rosterPush.path, { laptop: laptopC.node, rosters: { [g]: { ...r, roles: {} } } }), 400, 'invalid-roster');
      const badTag = { ...r, members: { ...r.members, adds: { ...r.members.adds, [other.id]: ['not-a-stamp'] } } };
      await refusedAs(await call(f.app, coach, 'POST', HubRoutes.rosterPush.path, { laptop: laptopC.node, rosters: { [g]: badTag } }), 400, 'invalid-roster');
      // A roster the merge would make larger than a roster may be (here: a thousand and one adds of one member).
      const many = Array.from({ length: 1000 }, (_, i) => hlcText({ ms: Date.now() - 5000, n: i, node: laptopC.node }));
      const full = { ...r, members: { ...r.members, adds: { ...r.members.adds, [driver.id]: many.sort() } } };
      await refusedAs(await call(f.app, coach, 'POST', HubRoutes.rosterPush.path, { laptop: laptopC.node, rosters: { [g]: full } }), 413, 'roster-full');
      // Its own edit of its own group goes through.
      const ok = await laptopC.push([g]);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(await table(g), [`${coach.id}:coach`, `${driver.id}:driver`, `${other.id}:driver`].sort());
      // Now the coach's laptop id is theirs: another member pushing as it is refused.
      before = await snapshot();
      const asCoachLaptop = editRoster(laptopC.rosters.get(g)!, { kind: 'remove', memberId: coach.id }, tickHlc(laptopC.clock, Date.now()));
      await refusedAs(await call(f.app, admin, 'POST', HubRoutes.rosterPush.path, { laptop: laptopC.node, rosters: { [g]: asCoachLaptop } }), 403, 'laptop-of-another-member');
    });

    test('pulls: the admin reads every group, a member their own; a cursor at the head brings nothing', async () => {
      const m1 = await person('Mo One');
      const [g, h] = [await newGroup('P1'), await newGroup('P2')];
      await join(admin, g, m1.id, 'driver');
      const pull = async (who: Person, after = 0) => (await call(f.app, who, 'GET', `${HubRoutes.rosterPull.path}?after=${after}&limit=100`)).json() as RosterPull;
      const all = await pull(admin);
      assert.ok(all.rosters.some((r) => r.groupId === g) && all.rosters.some((r) => r.groupId === h));
      const mine = await pull(m1);
      assert.deepEqual(mine.rosters.map((r) => r.groupId), [g]);
      assert.equal(mine.rosters[0]!.names[m1.id], 'Mo One');
      assert.deepEqual((await pull(admin, all.head)).rosters, []);
      const outsider = await person('Olga Outside', f.otherAcademyId, 'admin');
      assert.deepEqual((await pull(outsider)).rosters, []);
    });
  });
}
