import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  HubRoutes, editRoster, latestRosterStamp, mergeRosters, receiveHlc, rosterMembers, tickHlc,
  type Group, type Hlc, type Roster, type RosterEdit, type RosterPull,
} from '@pitwall/protocol';
import { seededRandom } from '../../../../protocol/test/seeded-random.js';
import { addMember } from '../../../src/organisations/members.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';

interface Person {
  id: string;
  token: string;
}

const call = (app: FastifyInstance, who: Person, method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${who.token}` }, ...(payload ? { payload } : {}) });

const ROLES = ['driver', 'analyst', 'coach'] as const;

// Seeded random offline histories on three laptops (two coaches and the admin) and online adds,
// pushed to the hub in two shuffled orders into twin groups: the twins end with the same members,
// equal to the laptops' own merge of everything, on both databases.
for (const kind of DATABASE_KINDS) {
  describe(`team rosters: the hub's result does not depend on the order of pushes (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    let admin: Person;
    const person = async (name: string, role = 'member'): Promise<Person> => {
      const m = await addMember(f.hubDb.db, f.academyId, name, role);
      return { id: m.memberId, token: m.token };
    };
    before(async () => {
      f = await hubFixture(dbs);
      admin = await person('Ada Admin', 'admin');
    });
    after(() => dbs.close());

    test('8 seeded histories, pushes in two shuffled orders', async () => {
      const rand = seededRandom(0x5eed_16);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
      const [c1, c2] = [await person('Coach One'), await person('Coach Two')];
      const pool = await Promise.all(['p1', 'p2', 'p3', 'p4', 'p5'].map((n) => person(n)));
      for (let c = 0; c < 8; c++) {
        const twins: string[] = [];
        for (const name of [`case ${c} A`, `case ${c} B`]) {
          const res = await call(f.app, admin, 'POST', HubRoutes.createGroup.path, { name });
          const g = (res.json() as Group).groupId;
          twins.push(g);
          for (const coach of [c1, c2]) await call(f.app, admin, 'POST', HubRoutes.addGroupMember.path.replace(':groupId', g), { memberId: coach.id, role: 'coach' });
          for (const p of pool.slice(0, 3)) await call(f.app, admin, 'POST', HubRoutes.addGroupMember.path.replace(':groupId', g), { memberId: p.id, role: 'driver' });
        }
        const [ga, gb] = twins as [string, string];
        // Three laptops pull, then edit offline: the same edits, with the same stamps, on both twins.
        const laptops = await Promise.all(
          [c1, c2, admin].map(async (owner, i) => {
            const page = (await call(f.app, owner, 'GET', `${HubRoutes.rosterPull.path}?after=0&limit=100`)).json() as RosterPull;
            const held = (g: string) => page.rosters.find((r) => r.groupId === g)!.roster;
            let clock: Hlc = { ms: 0, n: 0, node: `laptop-c${c}-${i}` };
            for (const r of page.rosters) clock = receiveHlc(clock, latestRosterStamp(r.roster)!, Date.now());
            return { owner, node: clock.node, clock, a: held(ga), b: held(gb) };
          }),
        );
        for (let s = 0; s < 12; s++) {
          const l = pick(laptops);
          const member = pick(pool).id;
          const present = rosterMembers(l.a).some((m) => m.memberId === member);
          const r = rand();
          const e: RosterEdit = r < 0.4 ? { kind: 'add', memberId: member, role: pick(ROLES) } : r < 0.7 && present ? { kind: 'remove', memberId: member } : present ? { kind: 'set-role', memberId: member, role: pick(ROLES) } : { kind: 'rename', name: `n${s}` };
          l.clock = tickHlc(l.clock, Date.now() + Math.floor(rand() * 1000));
          l.a = editRoster(l.a, e, l.clock);
          l.b = editRoster(l.b, e, l.clock);
        }
        // Online meanwhile, on both twins (before any push, so the hub stamps them alike).
        const online = pick(pool.slice(3));
        for (const g of twins) await call(f.app, admin, 'POST', HubRoutes.addGroupMember.path.replace(':groupId', g), { memberId: online.id, role: 'analyst' });
        const order = [...laptops].sort(() => rand() - 0.5);
        const push = async (l: (typeof laptops)[number], g: string, r: Roster) => {
          const res = await call(f.app, l.owner, 'POST', HubRoutes.rosterPush.path, { laptop: l.node, rosters: { [g]: r } });
          assert.equal(res.statusCode, 200, `case ${c}: ${res.body}`);
        };
        for (const l of order) await push(l, ga, l.a);
        for (const l of [...order].reverse()) await push(l, gb, l.b);
        const table = async (g: string) => (await f.hubDb.db.selectFrom('group_members').select(['member_id', 'role']).where('group_id', '=', g).orderBy('member_id').execute()).map((r) => `${r.member_id}:${r.role}`);
        const [ta, tb] = [await table(ga), await table(gb)];
        assert.deepEqual(ta, tb, `case ${c}: the same members whatever the order`);
        const hubA = (await call(f.app, admin, 'GET', `${HubRoutes.rosterPull.path}?after=0&limit=100`)).json() as RosterPull;
        const onHub = hubA.rosters.find((r) => r.groupId === ga)!.roster;
        const expected = laptops.reduce((acc, l) => mergeRosters(acc, l.a), onHub);
        assert.deepEqual(rosterMembers(onHub), rosterMembers(expected), `case ${c}: the hub holds the merge of every laptop's roster`);
        assert.deepEqual(ta, rosterMembers(onHub).map((m) => `${m.memberId}:${m.role}`), `case ${c}: group_members follows the roster`);
      }
    });
  });
}
