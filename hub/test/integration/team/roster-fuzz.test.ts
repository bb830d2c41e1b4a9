import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiError, editRoster, HubRoutes, type Group, type Hlc, type Roster, type RosterPull } from '@pitwall/protocol';
import { seededRandom } from '../../../../protocol/test/seeded-random.js';
import { addMember } from '../../../src/organisations/members.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const GARBAGE: unknown[] = [null, true, 0, -1, 1e308, 2 ** 53 + 1, '', '\u0000', '__proto__', 'x'.repeat(300), [], {}, { ms: 1, n: 0, node: 'hub' }, ['not-a-stamp'], 'f'.repeat(32)];

/** A copy of `v` with one value somewhere inside replaced, dropped or joined by another. */
function bend(rand: Rand, v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || depth > 6 || rand() < 0.2) return pick(rand, GARBAGE);
  if (Array.isArray(v)) {
    if (v.length === 0 || rand() < 0.2) return [...v, pick(rand, GARBAGE)];
    const i = Math.floor(rand() * v.length);
    return v.map((x, j) => (j === i ? bend(rand, x, depth + 1) : x));
  }
  const o = { ...(v as Record<string, unknown>) };
  const keys = Object.keys(o);
  const r = rand();
  if (keys.length === 0 || r < 0.1) o[pick(rand, ['extra', '__proto__', 'f'.repeat(32), 'constructor'])] = pick(rand, GARBAGE);
  else if (r < 0.2) delete o[pick(rand, keys)];
  else {
    const k = pick(rand, keys);
    o[k] = bend(rand, o[k], depth + 1);
  }
  return o;
}

// Seeded bent roster pushes from the group's coach: each is taken (200) or refused with the error
// shape and a 4xx, never a 500; a refused one writes nothing.
for (const kind of DATABASE_KINDS) {
  describe(`hostile roster pushes (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    before(async () => {
      f = await hubFixture(dbs);
    });
    after(() => dbs.close());

    test('200 seeded bent pushes: a 200 or a clean 4xx, and nothing written when refused', async (t) => {
      const admin = await addMember(f.hubDb.db, f.academyId, 'Admin', 'admin');
      const coach = await addMember(f.hubDb.db, f.academyId, 'Coach', 'member');
      const driver = await addMember(f.hubDb.db, f.academyId, 'Driver', 'member');
      const as = (token: string) => ({ authorization: `Bearer ${token}` });
      const g = ((await f.app.inject({ method: 'POST', url: HubRoutes.createGroup.path, headers: as(admin.token), payload: { name: 'Fuzz' } })).json() as Group).groupId;
      for (const [m, role] of [[coach, 'coach'], [driver, 'driver']] as const) {
        await f.app.inject({ method: 'POST', url: HubRoutes.addGroupMember.path.replace(':groupId', g), headers: as(admin.token), payload: { memberId: m.memberId, role } });
      }
      const node = 'laptop-fuzz';
      const pulled = ((await f.app.inject({ method: 'GET', url: `${HubRoutes.rosterPull.path}?after=0`, headers: as(coach.token) })).json() as RosterPull).rosters[0]!.roster;
      let clock: Hlc = { ms: Date.now(), n: 0, node };
      const valid = (): Roster => {
        clock = { ...clock, n: clock.n + 1 };
        return editRoster(pulled, { kind: 'set-role', memberId: driver.memberId, role: 'analyst' }, clock);
      };
      const snapshot = async () => ({
        members: await f.hubDb.db.selectFrom('group_members').selectAll().orderBy('member_id').execute(),
        rosters: await f.hubDb.db.selectFrom('group_rosters').selectAll().execute(),
        heads: await f.hubDb.db.selectFrom('roster_heads').selectAll().execute(),
      });
      const rand = seededRandom(0x7ea_f0);
      let taken = 0;
      const codes = new Map<string, number>();
      for (let i = 0; i < 200; i++) {
        const body = bend(rand, { laptop: node, rosters: { [g]: valid() } });
        const before = await snapshot();
        const res = await f.app.inject({ method: 'POST', url: HubRoutes.rosterPush.path, headers: as(coach.token), payload: body as object });
        const code = res.statusCode === 200 ? '200' : `${res.statusCode} ${String((res.json() as { error?: { code?: string } }).error?.code)}`;
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (res.statusCode === 200) {
          taken++;
          continue;
        }
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `round ${i}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        assert.ok(apiError.is(res.json()), `round ${i}: the error shape`);
        assert.deepEqual(await snapshot(), before, `round ${i}: refused, nothing written`);
      }
      assert.ok(taken < 200, "most bent pushes are refused");
      t.diagnostic(`answers: ${JSON.stringify([...codes])}`);
    });
  });
}
