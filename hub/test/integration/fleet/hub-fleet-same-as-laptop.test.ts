import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { emptyLapColumns, fleetDistribution, HubRoutes, nameInterner, type Group, type HubFleetDistribution, type SharedSessionUpload } from '@pitwall/protocol';
import { addMember } from '../../../src/organisations/members.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';
import { seededRandom } from '../../../../protocol/test/seeded-random.js';

const TRACK = 'catalog:lydd-international';
const OTHER = 'catalog:brands-hatch-indy';

interface Shared {
  driver: string;
  unitId: string;
  sessionId: string;
  upload: SharedSessionUpload;
}

/**
 * The laptop's reading of shared sessions, lap by lap, written here from the definition and not
 * from the hub's code: a lap starts at its session's start plus the laps before it (in lap
 * order); a lap's sectors count only when it has the track's most sectors; sessions in unit and
 * session order.
 */
function laptopColumns(sessions: readonly Shared[], groupIds: ReadonlySet<string>) {
  const read = sessions
    .filter((s) => s.upload.trackId === TRACK && s.upload.groups.some((g) => groupIds.has(g)))
    .sort((a, b) => (a.unitId === b.unitId ? (a.sessionId < b.sessionId ? -1 : 1) : a.unitId < b.unitId ? -1 : 1));
  const laps = read.flatMap((s) => s.upload.laps);
  const S = Math.max(0, ...laps.map((l) => l.sectorsMs.length));
  const c = emptyLapColumns(laps.length, S, 0);
  const driverOf = nameInterner(c.drivers);
  const unitOf = nameInterner(c.units);
  let i = 0;
  for (const s of read) {
    let t = Date.parse(s.upload.startedAt);
    for (const l of [...s.upload.laps].sort((a, b) => a.lap - b.lap)) {
      c.driver[i] = driverOf(s.driver);
      c.unit[i] = unitOf(s.unitId);
      c.startT[i] = t;
      c.timeMs[i] = l.timeMs;
      if (l.sectorsMs.length === S) l.sectorsMs.forEach((v, k) => (c.sectorsMs[k * laps.length + i] = v));
      t += l.timeMs;
      i++;
    }
  }
  return c;
}

// The hub reads a track's laps from columns packed when a session is shared, not from its laps
// JSON: its distributions must be the ones the laptop computes from the same laps, for seeded
// random sessions (laps out of order, a session with fewer sectors, sessions re-shared onto
// another track, with no laps, with two groups), a group's and the organisation's.
for (const kind of DATABASE_KINDS) {
  describe(`hub fleet distributions are the laptop's (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    const tokens: Record<string, string> = {};
    const groups: string[] = [];
    const latest = new Map<string, Shared>();
    const as = (token: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => f.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });

    before(async () => {
      f = await hubFixture(dbs);
      const rnd = seededRandom(1616);
      const admin = (await addMember(f.hubDb.db, f.academyId, 'Ada', 'admin')).token;
      const coach = await addMember(f.hubDb.db, f.academyId, 'Cal', 'member');
      tokens.Cal = coach.token;
      for (const name of ['Red', 'Blue']) {
        const res = await as(admin, 'POST', HubRoutes.createGroup.path, { name });
        groups.push((res.json() as Group).groupId);
      }
      const join = async (groupId: string, memberId: string, role: string) =>
        assert.equal((await as(admin, 'POST', HubRoutes.addGroupMember.path.replace(':groupId', groupId), { memberId, role })).statusCode, 200);
      for (const g of groups) await join(g, coach.memberId, 'coach');
      const drivers = ['Dee', 'Eve', 'Fay', 'Gus', 'Hal'];
      for (const d of drivers) {
        const m = await addMember(f.hubDb.db, f.academyId, d, 'member');
        tokens[d] = m.token;
        for (const g of groups) await join(g, m.memberId, 'driver');
      }
      for (let s = 0; s < 60; s++) {
        const driver = drivers[Math.floor(rnd() * drivers.length)]!;
        // Re-shares of earlier sessions replace them (another track, other laps, other groups).
        const again = s >= 40 && rnd() < 0.5 ? [...latest.values()].filter((x) => x.driver === driver)[0] : undefined;
        const unitId = again?.unitId ?? `00000000-0000-4000-8000-${String(Math.floor(rnd() * 4)).padStart(12, '0')}`;
        const sessionId = again?.sessionId ?? `s-${String(s).padStart(3, '0')}`;
        const sectors = rnd() < 0.1 ? 2 : 3;
        const count = rnd() < 0.05 ? 0 : 1 + Math.floor(rnd() * 12);
        const laps = Array.from({ length: count }, (_, l) => {
          const sectorsMs = Array.from({ length: sectors }, () => 15_000 + Math.round(rnd() * 9_000));
          return { lap: l + 1, timeMs: sectorsMs.reduce((a, b) => a + b, 0), sectorsMs };
        }).sort(() => rnd() - 0.5);
        const startedAt = new Date(Date.UTC(2026, 3, 1 + Math.floor(rnd() * 20), 8) + Math.floor(rnd() * 36_000_000)).toISOString();
        const shareWith = rnd() < 0.3 ? groups : [groups[Math.floor(rnd() * 2)]!];
        const upload: SharedSessionUpload = { startedAt, trackId: rnd() < 0.15 ? (rnd() < 0.5 ? null : OTHER) : TRACK, laps, groups: shareWith };
        const res = await as(tokens[driver]!, 'PUT', HubRoutes.shareSession.path.replace(':unitId', unitId).replace(':sessionId', sessionId), upload);
        assert.equal(res.statusCode, 200, res.body);
        latest.set(`${unitId}/${sessionId}`, { driver, unitId, sessionId, upload });
      }
    });
    after(() => dbs.close());

    for (const [what, query, scope] of [
      ["one group's, by driver, one marked", (g: string[]) => `?groupId=${g[0]}&mark=Eve`, (g: string[]) => [g[0]!]],
      ["the organisation's, by unit, one marked", () => '?groupBy=unit&mark=00000000-0000-4000-8000-000000000002', (g: string[]) => g],
    ] as const) {
      test(`${what}: the laptop's figures`, async () => {
        const res = await as(tokens.Cal!, 'GET', `${HubRoutes.fleetDistribution.path.replace(':trackId', TRACK)}${query(groups)}`);
        assert.equal(res.statusCode, 200, res.body);
        const { distribution } = res.json() as HubFleetDistribution;
        const params = new URL(query(groups), 'http://x').searchParams;
        const cols = laptopColumns([...latest.values()], new Set(scope(groups)));
        const laptop = fleetDistribution(cols, { groupBy: (params.get('groupBy') ?? 'driver') as 'driver' | 'unit', mark: params.get('mark')! });
        assert.ok(laptop.laps > 100 && laptop.members.length > 1, `a fair sample: ${laptop.laps} laps`);
        const { trackId, trackName, mark, computeMs, ...rest } = distribution;
        assert.equal(typeof computeMs, "number");
        assert.deepEqual([trackId, trackName, mark], [TRACK, TRACK, params.get('mark')]);
        // Through JSON as the answer went (NaN and the like would not survive either way).
        assert.deepEqual(rest, JSON.parse(JSON.stringify(laptop)));
      });
    }
  });
}
