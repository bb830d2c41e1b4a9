import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { HubRoutes, type Group, type GroupSessionsPage, type SharedSessionUpload } from '@pitwall/protocol';
import { seededRandom } from '../../../../protocol/test/seeded-random.js';
import { addMember } from '../../../src/organisations/members.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';

interface Person {
  id: string;
  token: string;
}

const path = (p: string, params: Record<string, string>) => p.replace(/:([A-Za-z]+)/g, (_, k: string) => params[k]!);

function call(app: FastifyInstance, who: Person, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) {
  return app.inject({ method, url, headers: { authorization: `Bearer ${who.token}` }, ...(payload ? { payload } : {}) });
}

const session = (groups: string[], lapMs = 61_234): SharedSessionUpload => ({
  startedAt: '2026-05-01T10:00:00.000Z',
  trackId: 'catalog:lydd-international',
  laps: [{ lap: 1, timeMs: lapMs, sectorsMs: [20_000, 21_000, lapMs - 41_000] }],
  groups,
});

// Group isolation at the API: whoever asks, a session is readable only by its driver and by the
// members of the groups it is shared with; a group's list only by its members. Same suite on both databases.
for (const kind of DATABASE_KINDS) {
  describe(`team mode: groups and shared sessions (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    let admin: Person;
    let otherAdmin: Person;
    const person = async (orgId: string, name: string, role = 'member'): Promise<Person> => {
      const m = await addMember(f.hubDb.db, orgId, name, role);
      return { id: m.memberId, token: m.token };
    };
    const newGroup = async (who: Person, name: string) => {
      const res = await call(f.app, who, 'POST', HubRoutes.createGroup.path, { name });
      assert.equal(res.statusCode, 201, res.body);
      return (res.json() as Group).groupId;
    };
    const join = (who: Person, groupId: string, memberId: string, role: string) =>
      call(f.app, who, 'POST', path(HubRoutes.addGroupMember.path, { groupId }), { memberId, role });
    const share = (who: Person, unitId: string, sessionId: string, body: SharedSessionUpload) =>
      call(f.app, who, 'PUT', path(HubRoutes.shareSession.path, { unitId, sessionId }), body);
    const read = (who: Person, unitId: string, sessionId: string) => call(f.app, who, 'GET', path(HubRoutes.readSession.path, { unitId, sessionId }));
    const list = (who: Person, groupId: string, after?: string) =>
      call(f.app, who, 'GET', `${path(HubRoutes.groupSessions.path, { groupId })}${after ? `?after=${encodeURIComponent(after)}` : ''}`);

    before(async () => {
      f = await hubFixture(dbs);
      admin = await person(f.academyId, 'Ada Admin', 'admin');
      otherAdmin = await person(f.otherAcademyId, 'Bo Admin', 'admin');
    });
    after(() => dbs.close());

    test("groups: an academy's admin makes them and adds members; coaches manage only their own group", async () => {
      const team = await newGroup(admin, 'Team Red');
      const klass = await newGroup(admin, 'Class of May');
      const coach = await person(f.academyId, 'Cory Coach');
      const driver = await person(f.academyId, 'Dee Driver');
      assert.equal((await call(f.app, driver, 'POST', HubRoutes.createGroup.path, { name: 'mine' })).json().error.code, 'not-an-academy-admin');
      assert.equal((await call(f.app, { id: '', token: f.dealerToken }, 'POST', HubRoutes.createGroup.path, { name: 'x' })).statusCode, 403);
      assert.equal((await join(admin, team, coach.id, 'coach')).statusCode, 200);
      assert.equal((await join(coach, team, driver.id, 'driver')).statusCode, 200, 'a coach adds to their group');
      assert.equal((await join(coach, klass, driver.id, 'driver')).json().error.code, 'not-a-coach');
      assert.equal((await join(driver, team, coach.id, 'driver')).json().error.code, 'not-a-coach');
      // Another academy's admin: the group does not exist for them; a member of another academy cannot be added.
      assert.equal((await join(otherAdmin, team, otherAdmin.id, 'driver')).json().error.code, 'no-such-group');
      const stranger = await person(f.otherAcademyId, 'Sam Stranger');
      assert.equal((await join(admin, team, stranger.id, 'driver')).json().error.code, 'no-such-member');
    });

    test('a driver shares with the groups they choose; members of other groups and academies never read it', async () => {
      const g1 = await newGroup(admin, 'G1');
      const g2 = await newGroup(admin, 'G2');
      const [coach, d1, d2, analyst] = await Promise.all(['coach', 'd1', 'd2', 'analyst'].map((n) => person(f.academyId, n)));
      await join(admin, g1, coach!.id, 'coach');
      await join(admin, g1, d1!.id, 'driver');
      await join(admin, g1, analyst!.id, 'analyst');
      await join(admin, g2, d2!.id, 'driver');
      const gB = await newGroup(otherAdmin, 'Other academy team');
      const dB = await person(f.otherAcademyId, 'dB');
      await join(otherAdmin, gB, dB.id, 'driver');

      const unit = randomUUID();
      assert.equal((await share(d1!, unit, 's1', session([g1]))).statusCode, 200);
      assert.equal((await share(d2!, unit, 's2', session([g2]))).statusCode, 200);
      for (const reader of [coach!, d1!, analyst!]) {
        const page = (await list(reader, g1)).json() as GroupSessionsPage;
        assert.deepEqual(page.sessions.map((s) => s.sessionId), ['s1']);
        assert.equal((await read(reader, unit, 's1')).statusCode, 200);
        assert.equal((await read(reader, unit, 's2')).statusCode, 404, 'a session shared with G2 only');
      }
      for (const outsider of [d2!, dB, otherAdmin, admin]) {
        assert.equal((await list(outsider, g1)).json().error?.code, 'no-such-group');
        assert.equal((await read(outsider, unit, 's1')).json().error?.code, 'no-such-session');
      }
      // Sharing into a group one does not drive in, or as an analyst, is refused.
      assert.equal((await share(d2!, unit, 's2', session([g2, g1]))).json().error.code, 'no-such-group');
      assert.equal((await share(dB, unit, 'sB', session([g1]))).json().error.code, 'no-such-group');
      assert.equal((await share(analyst!, unit, 'sA', session([g1]))).json().error.code, 'not-a-driver');
      // Another driver cannot take over a session by its ids.
      assert.equal((await share(d2!, unit, 's1', session([g2], 50_000))).json().error.code, 'session-of-another-driver');
      assert.equal((await read(d1!, unit, 's1')).json().laps[0].timeMs, 61_234);
      // Unshared: gone from the group, still the driver's own.
      assert.equal((await share(d1!, unit, 's1', session([]))).statusCode, 200);
      assert.equal((await list(analyst!, g1)).json().sessions.length, 0);
      assert.equal((await read(analyst!, unit, 's1')).statusCode, 404);
      assert.equal((await read(d1!, unit, 's1')).statusCode, 200);
    });

    test('isolation matrix (seeded): every member, every session, every group answers as the sharing says', async () => {
      const rand = seededRandom(0x7ea_5);
      const groups = [await newGroup(admin, 'M1'), await newGroup(admin, 'M2'), await newGroup(admin, 'M3')];
      const roles = ['coach', 'driver', 'analyst'] as const;
      const people: { who: Person; in: Map<string, string> }[] = [];
      for (let i = 0; i < 8; i++) {
        const who = await person(f.academyId, `p${i}`);
        const memberships = new Map<string, string>();
        for (const g of groups) {
          if (rand() < 0.5) continue;
          const role = roles[Math.floor(rand() * 3)]!;
          assert.equal((await join(admin, g, who.id, role)).statusCode, 200);
          memberships.set(g, role);
        }
        people.push({ who, in: memberships });
      }
      const unit = randomUUID();
      const sessions: { id: string; driver: Person; groups: string[] }[] = [];
      for (const p of people) {
        const driving = groups.filter((g) => p.in.get(g) === 'driver');
        for (let k = 0; k < 3; k++) {
          const chosen = driving.filter(() => rand() < 0.6);
          const id = `m-${p.who.id.slice(0, 6)}-${k}`;
          assert.equal((await share(p.who, unit, id, session(chosen, 60_000 + k))).statusCode, 200);
          sessions.push({ id, driver: p.who, groups: chosen });
        }
      }
      let readable = 0;
      for (const p of people) {
        for (const s of sessions) {
          const may = s.driver === p.who || s.groups.some((g) => p.in.has(g));
          const res = await read(p.who, unit, s.id);
          assert.equal(res.statusCode, may ? 200 : 404, `${p.who.id} reading ${s.id}`);
          if (may) readable++;
        }
        for (const g of groups) {
          const res = await list(p.who, g);
          if (!p.in.has(g)) {
            assert.equal(res.statusCode, 404);
            continue;
          }
          const expected = sessions.filter((s) => s.groups.includes(g)).map((s) => s.id).sort();
          assert.deepEqual((res.json() as GroupSessionsPage).sessions.map((s) => s.sessionId).sort(), expected);
        }
      }
      assert.ok(readable > 0 && readable < people.length * sessions.length, 'the matrix has both answers');
    });

    test("a group's list pages by cursor and catches up with what changed since", async () => {
      const g = await newGroup(admin, 'Pages');
      const d = await person(f.academyId, 'pager');
      await join(admin, g, d.id, 'driver');
      const unit = randomUUID();
      for (let i = 0; i < 205; i++) {
        f.clock.now += 1;
        await share(d, unit, `p${String(i).padStart(3, '0')}`, session([g]));
      }
      const first = (await list(d, g)).json() as GroupSessionsPage;
      assert.equal(first.sessions.length, 200);
      assert.equal(first.more, true);
      const second = (await list(d, g, first.next!)).json() as GroupSessionsPage;
      assert.deepEqual(second.sessions.map((s) => s.sessionId), ['p200', 'p201', 'p202', 'p203', 'p204']);
      assert.equal(second.more, false);
      // Offline, then back: only what changed since the saved cursor comes.
      f.clock.now += 1000;
      await share(d, unit, 'p007', session([g], 59_000));
      const since = (await list(d, g, second.next!)).json() as GroupSessionsPage;
      assert.deepEqual(since.sessions.map((s) => [s.sessionId, s.laps[0]!.timeMs]), [['p007', 59_000]]);
      assert.equal(((await list(d, g, since.next!)).json() as GroupSessionsPage).sessions.length, 0);
    });
  });
}
