import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { HubRoutes, editRoster, emptyRoster, type HubRoute } from '@pitwall/protocol';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';
import { academyWorld, auth, bookWith, pathOf, snapshot, type AcademyWorld, type Person } from '../../helpers/two-academies.js';

type RouteName = keyof typeof HubRoutes;
type MemberRoute = { [K in RouteName]: (typeof HubRoutes)[K]['access'] extends 'member' ? K : never }[RouteName];

/**
 * One attempt of academy A's members at academy B. `refused`: the statuses allowed, and then
 * nothing anywhere may change; otherwise the call is allowed on A's own side and `check` proves
 * nothing of B was read or changed.
 */
interface Attempt {
  what: string;
  opts: InjectOptions;
  refused?: number[];
  check?: (res: LightMyRequestResponse) => Promise<void> | void;
}

const PUBLIC_REVIEWED: readonly RouteName[] = ['key', 'challenge', 'register'];

// Every member route of HubRoutes has its attempts here: a route added without them fails the
// first test, so isolation is decided for each route when it is made, not later.
const ATTEMPTS: Record<MemberRoute, (a: AcademyWorld, b: AcademyWorld, f: HubFixture) => Attempt[]> = {
  claimCode: (a, b) => [
    { what: "A's dealer asks a code for B", opts: { method: 'POST', url: HubRoutes.claimCode.path, headers: auth(a.dealer), payload: { academyId: b.id } }, refused: [403] },
    { what: "A's admin asks a code for B", opts: { method: 'POST', url: HubRoutes.claimCode.path, headers: auth(a.admin), payload: { academyId: b.id } }, refused: [403] },
  ],
  createGroup: (a, b, f) => [
    {
      what: "A's admin makes a group: it is A's",
      opts: { method: 'POST', url: HubRoutes.createGroup.path, headers: auth(a.admin), payload: { name: 'made by A' } },
      check: async (res) => {
        assert.equal(res.statusCode, 201, res.body);
        const row = await f.hubDb.db.selectFrom('groups').select('organisation_id').where('id', '=', res.json().groupId).executeTakeFirstOrThrow();
        assert.equal(row.organisation_id, a.id);
        assert.notEqual(row.organisation_id, b.id);
      },
    },
    { what: "A's dealer makes a group", opts: { method: 'POST', url: HubRoutes.createGroup.path, headers: auth(a.dealer), payload: { name: 'x' } }, refused: [403] },
  ],
  addGroupMember: (a, b) => [
    { what: "A's admin puts A's driver into B's group", opts: { method: 'POST', url: pathOf(HubRoutes.addGroupMember.path, { groupId: b.groupId }), headers: auth(a.admin), payload: { memberId: a.driver.id, role: 'coach' } }, refused: [404] },
    { what: "A's admin puts B's driver into A's group", opts: { method: 'POST', url: pathOf(HubRoutes.addGroupMember.path, { groupId: a.groupId }), headers: auth(a.admin), payload: { memberId: b.driver.id, role: 'analyst' } }, refused: [404] },
    { what: "A's driver puts themself into B's group", opts: { method: 'POST', url: pathOf(HubRoutes.addGroupMember.path, { groupId: b.groupId }), headers: auth(a.driver), payload: { memberId: a.driver.id, role: 'driver' } }, refused: [404] },
  ],
  shareSession: (a, b) => {
    const body = (groups: string[]) => ({ startedAt: '2026-05-02T10:00:00.000Z', trackId: a.trackId, laps: [{ lap: 1, timeMs: 1_000, sectorsMs: [] }], groups });
    return [
      { what: "A's driver shares into B's group", opts: { method: 'PUT', url: pathOf(HubRoutes.shareSession.path, { unitId: a.unitId, sessionId: 'new-a' }), headers: auth(a.driver), payload: body([b.groupId]) }, refused: [404] },
      { what: "A's driver overwrites B's session", opts: { method: 'PUT', url: pathOf(HubRoutes.shareSession.path, { unitId: b.unitId, sessionId: b.sessionId }), headers: auth(a.driver), payload: body([a.groupId]) }, refused: [403, 404, 409] },
      { what: "A's driver unshares B's session", opts: { method: 'PUT', url: pathOf(HubRoutes.shareSession.path, { unitId: b.unitId, sessionId: b.sessionId }), headers: auth(a.driver), payload: body([]) }, refused: [403, 404, 409] },
      // Squatting: a session of B's unit that B's driver has not shared yet, taken first.
      { what: "A's driver shares a new session of B's unit", opts: { method: 'PUT', url: pathOf(HubRoutes.shareSession.path, { unitId: b.unitId, sessionId: 'squat-1' }), headers: auth(a.driver), payload: body([a.groupId]) }, refused: [403] },
      { what: "A's dealer shares a new session of B's unit", opts: { method: 'PUT', url: pathOf(HubRoutes.shareSession.path, { unitId: b.unitId, sessionId: 'squat-2' }), headers: auth(a.dealer), payload: body([]) }, refused: [403] },
    ];
  },
  shareSessionBatch: (a, b) => {
    const item = (unitId: string, sessionId: string, groups: string[]) => ({ unitId, sessionId, startedAt: '2026-05-02T10:00:00.000Z', trackId: a.trackId, laps: [{ lap: 1, timeMs: 1_000, sectorsMs: [] }], groups });
    const batch = (...sessions: ReturnType<typeof item>[]) => ({ method: 'POST' as const, url: HubRoutes.shareSessionBatch.path, headers: auth(a.driver), payload: { sessions } });
    return [
      { what: "A's driver batches a share into B's group", opts: batch(item(a.unitId, 'batch-a1', [a.groupId]), item(a.unitId, 'batch-a2', [b.groupId])), refused: [403, 404] },
      { what: "A's driver batches an overwrite of B's session", opts: batch(item(a.unitId, 'batch-a3', [a.groupId]), item(b.unitId, b.sessionId, [a.groupId])), refused: [403, 404, 409] },
      { what: "A's driver batches an unshare of B's session", opts: batch(item(b.unitId, b.sessionId, [])), refused: [403, 404, 409] },
      { what: "A's driver batches new sessions of B's unit", opts: batch(item(a.unitId, 'batch-a4', [a.groupId]), item(b.unitId, 'squat-3', [])), refused: [403] },
    ];
  },
  readSession: (a, b) =>
    [a.admin, a.driver].map((who) => ({ what: "A's member reads B's session", opts: { method: 'GET', url: pathOf(HubRoutes.readSession.path, { unitId: b.unitId, sessionId: b.sessionId }), headers: auth(who) }, refused: [404] })),
  groupSessions: (a, b) =>
    [a.admin, a.driver].map((who) => ({ what: "A's member lists B's group", opts: { method: 'GET', url: pathOf(HubRoutes.groupSessions.path, { groupId: b.groupId }), headers: auth(who) }, refused: [404] })),
  fleetDistribution: (a, b) => [
    { what: "A's driver asks B's group's distribution", opts: { method: 'GET', url: `${pathOf(HubRoutes.fleetDistribution.path, { trackId: b.trackId })}?groupId=${b.groupId}`, headers: auth(a.driver) }, refused: [404] },
    {
      what: "A's driver asks the organisation's distribution: A's laps only",
      opts: { method: 'GET', url: pathOf(HubRoutes.fleetDistribution.path, { trackId: b.trackId }), headers: auth(a.driver) },
      check: (res) => {
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json().groups, [a.groupId]);
        assert.ok(!res.body.includes(b.unitId) && !res.body.includes('South driver'), 'nothing of B in the answer');
      },
    },
  ],
  registryPush: (a, b, f) => [
    {
      // A laptop is its member's within each organisation: naming B's writes only A's registry.
      what: "A's admin pushes as B's laptop: into A's registry only, the laptop still B's admin's in B",
      opts: { method: 'POST', url: HubRoutes.registryPush.path, headers: auth(a.admin), payload: { laptop: b.laptop, book: bookWith('taken over', b.laptop) } },
      check: async (res) => {
        assert.equal(res.statusCode, 200, res.body);
        const bRows = await f.hubDb.db.selectFrom('registry_entries').select('value').where('organisation_id', '=', b.id).execute();
        assert.ok(bRows.every((r) => !r.value.includes('taken over')));
        const owner = await f.hubDb.db.selectFrom('registry_laptops').select('member_id').where('organisation_id', '=', b.id).where('node', '=', b.laptop).executeTakeFirstOrThrow();
        assert.equal(owner.member_id, b.admin.id);
      },
    },
    {
      what: "A's admin pushes their own laptop's book: B's registry is unchanged",
      opts: { method: 'POST', url: HubRoutes.registryPush.path, headers: auth(a.admin), payload: { laptop: `${a.laptop}-2`, book: bookWith('A again', `${a.laptop}-2`) } },
      check: async (res) => {
        assert.equal(res.statusCode, 200, res.body);
        const bRows = await f.hubDb.db.selectFrom('registry_entries').select('value').where('organisation_id', '=', b.id).execute();
        assert.equal(bRows.length, 1);
        assert.ok(!bRows[0]!.value.includes('A again'));
      },
    },
    {
      // Squatting: a laptop id of B's (read off a book B's laptop made) that B has not pushed from yet, taken first.
      what: "A's admin pushes first as a laptop of B's: B's laptop still pushes",
      opts: { method: 'POST', url: HubRoutes.registryPush.path, headers: auth(a.admin), payload: { laptop: `laptop-${b.id.slice(0, 12)}`, book: bookWith('squatted', `laptop-${b.id.slice(0, 12)}`) } },
      check: async (res) => {
        assert.equal(res.statusCode, 200, res.body);
        const own = await f.app.inject({ method: 'POST', url: HubRoutes.registryPush.path, headers: auth(b.admin), payload: { laptop: `laptop-${b.id.slice(0, 12)}`, book: bookWith('B again', `laptop-${b.id.slice(0, 12)}`) } });
        assert.equal(own.statusCode, 200, `B's own laptop: ${own.body}`);
      },
    },
  ],
  myGroups: (a, b) =>
    [a.admin, a.driver].map((who) => ({
      what: "A's member asks who they are: A's groups only",
      opts: { method: 'GET', url: HubRoutes.myGroups.path, headers: auth(who) },
      check: (res: LightMyRequestResponse) => {
        assert.equal(res.statusCode, 200, res.body);
        assert.ok(!res.body.includes(b.groupId) && !res.body.includes('South'), 'nothing of B in the answer');
      },
    })),
  rosterPush: (a, b, f) => {
    const rename = (who: Person, groupId: string, laptop: string) => ({
      method: 'POST' as const,
      url: HubRoutes.rosterPush.path,
      headers: auth(who),
      payload: { laptop, rosters: { [groupId]: editRoster(emptyRoster(), { kind: 'rename', name: `renamed on ${laptop}` }, { ms: Date.now(), n: 0, node: laptop }) } },
    });
    const push = (groupId: string, memberId: string) => ({
      method: 'POST' as const,
      url: HubRoutes.rosterPush.path,
      headers: auth(a.admin),
      payload: { laptop: a.laptop, rosters: { [groupId]: editRoster(emptyRoster(), { kind: 'add', memberId, role: 'coach' }, { ms: Date.now(), n: 0, node: a.laptop }) } },
    });
    return [
      { what: "A's admin puts A's driver into B's group's roster", opts: push(b.groupId, a.driver.id), refused: [403, 404] },
      { what: "A's admin puts B's driver into A's group's roster", opts: push(a.groupId, b.driver.id), refused: [403, 404] },
      { what: "A's admin puts B's admin into B's group's roster", opts: push(b.groupId, b.admin.id), refused: [403, 404] },
      {
        what: "A's admin pushes a roster first from a laptop of B's: B's laptop still pushes",
        opts: rename(a.admin, a.groupId, `laptop-${b.id.slice(12, 24)}`),
        check: async (res) => {
          assert.equal(res.statusCode, 200, res.body);
          const own = await f.app.inject(rename(b.admin, b.groupId, `laptop-${b.id.slice(12, 24)}`));
          assert.equal(own.statusCode, 200, `B's own laptop: ${own.body}`);
        },
      },
    ];
  },
  rosterPull: (a, b) =>
    [a.admin, a.driver].map((who) => ({
      what: "A's member pulls rosters: A's only",
      opts: { method: 'GET', url: `${HubRoutes.rosterPull.path}?after=0&limit=100`, headers: auth(who) },
      check: (res: LightMyRequestResponse) => {
        assert.equal(res.statusCode, 200, res.body);
        assert.ok(!res.body.includes(b.groupId) && !res.body.includes(b.driver.id) && !res.body.includes('South'), 'nothing of B in the answer');
      },
    })),
  registryPull: (a, b) => [
    {
      what: "A's admin pulls: A's registry only",
      opts: { method: 'GET', url: `${HubRoutes.registryPull.path}?after=0&limit=200`, headers: auth(a.admin) },
      check: (res) => {
        assert.equal(res.statusCode, 200, res.body);
        // (A's own pushes may name B's laptop id: registryPush above pushes from it into A's registry.)
        assert.ok(!res.body.includes('South Sonoma') && !res.body.includes(b.admin.id) && !res.body.includes('South admin'), 'nothing of B in the answer');
      },
    },
  ],
};

const memberRoutes = (Object.entries(HubRoutes) as [RouteName, HubRoute][]).filter(([, r]) => r.access === 'member').map(([n]) => n as MemberRoute);

for (const kind of DATABASE_KINDS) {
  describe(`academy isolation at the API, route by route (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    let north: AcademyWorld;
    let south: AcademyWorld;
    before(async () => {
      f = await hubFixture(dbs);
      north = await academyWorld(f, 'North');
      south = await academyWorld(f, 'South');
    });
    after(() => dbs.close());

    test('every route of HubRoutes is reviewed: member routes have attempts, public routes are the known ones', () => {
      for (const [name, route] of Object.entries(HubRoutes) as [RouteName, HubRoute][]) {
        if (route.access === 'public') assert.ok(PUBLIC_REVIEWED.includes(name), `public route ${name} (${route.method} ${route.path}) is not reviewed for anonymous callers`);
        else assert.ok(name in ATTEMPTS, `member route ${name} (${route.method} ${route.path}) has no isolation attempts`);
      }
    });

    for (const name of memberRoutes) {
      test(`${name}: no token, a malformed one and an unknown one are 401 alike; nothing written`, async () => {
        const [first] = ATTEMPTS[name](north, south, f);
        const before = await snapshot(f);
        const bodies = new Set<string>();
        for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: `Bearer pwh_${'A'.repeat(43)}` }, { authorization: `Basic ${north.admin.token}` }]) {
          const res = await f.app.inject({ ...first!.opts, headers });
          assert.equal(res.statusCode, 401, `${name}: ${res.body}`);
          assert.ok(!res.body.includes(north.admin.token), 'the token is not echoed');
          bodies.add(res.body);
        }
        assert.equal(bodies.size, 1, 'one refusal, whatever was wrong with the token');
        assert.equal(await snapshot(f), before);
      });

      test(`${name}: academy North's members on academy South's things`, async () => {
        for (const attempt of ATTEMPTS[name](north, south, f)) {
          const before = await snapshot(f);
          const res = await f.app.inject(attempt.opts);
          if (attempt.refused) {
            assert.ok(attempt.refused.includes(res.statusCode), `${attempt.what}: ${res.statusCode} ${res.body}`);
            assert.equal(await snapshot(f), before, `${attempt.what}: nothing written`);
            // (The ids the attempt names itself may be named back; nothing South has that the caller did not send.)
            assert.ok(!res.body.includes(south.driver.id) && !res.body.includes('South driver') && !res.body.includes('South team'), `${attempt.what}: nothing of South in the refusal`);
          } else await attempt.check!(res);
        }
        // And the other way round: South's members on North's things, the same answers.
        for (const attempt of ATTEMPTS[name](south, north, f).filter((x) => x.refused)) {
          const res = await f.app.inject(attempt.opts);
          assert.ok(attempt.refused!.includes(res.statusCode), `reversed, ${attempt.what}: ${res.statusCode} ${res.body}`);
        }
      });
    }
  });
}
