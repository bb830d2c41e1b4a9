import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiError, HubRoutes, type ClaimCodeIssued } from '@pitwall/protocol';
import { signRegistrationRequest } from '@pitwall/protocol/node';
import { seededRandom } from '../../../../protocol/test/seeded-random.js';
import { addMember } from '../../../src/organisations/members.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { challenge, claimCode, hubFixture, makeUnit, registerUnit, type HubFixture } from '../../helpers/hub-fixture.js';

const SEED = 0x5eed_16;
const ROUNDS = 300;

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** A value of a random JSON type, sometimes large or nested. */
function randomValue(rand: Rand, depth = 0): unknown {
  switch (Math.floor(rand() * (depth > 3 ? 6 : 8))) {
    case 0: return null;
    case 1: return rand() < 0.5;
    case 2: return pick(rand, [0, -1, 1e308, 2 ** 53 + 1, 0.5, -0]);
    case 3: return 'x'.repeat(Math.floor(rand() * 200));
    case 4: return pick(rand, ['', '\u0000', '\ud800', '../../etc/passwd', "'; DROP TABLE units; --", '__proto__', 'A'.repeat(9000)]);
    case 5: return Array.from({ length: Math.floor(rand() * 70) }, (_, i) => String.fromCharCode(32 + ((i * 7 + Math.floor(rand() * 90)) % 90))).join('');
    case 6: return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, (_, i) => [`k${i}`, randomValue(rand, depth + 1)]));
  }
}

/** A valid request bent one way: a field's type or text changed, a field dropped or added, a prototype key. */
function mutate(rand: Rand, valid: Record<string, unknown>): unknown {
  const keys = Object.keys(valid);
  const out: Record<string, unknown> = { ...valid };
  const key = pick(rand, keys);
  switch (Math.floor(rand() * 6)) {
    case 0: out[key] = randomValue(rand); break;
    case 1: delete out[key]; break;
    case 2: out[`extra${Math.floor(rand() * 9)}`] = randomValue(rand); break;
    case 3: {
      const s = String(valid[key]);
      const i = Math.floor(rand() * s.length);
      out[key] = s.slice(0, i) + String.fromCharCode(33 + Math.floor(rand() * 94)) + s.slice(i + 1);
      break;
    }
    case 4: return JSON.parse(`{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},${JSON.stringify(valid).slice(1)}`);
    default: return randomValue(rand);
  }
  return out;
}

// Whatever arrives, the hub answers a 4xx with the error shape, registers nothing it should not,
// never echoes a claim code, and keeps serving. One seed, both databases.
for (const kind of DATABASE_KINDS) {
  describe(`hostile bodies (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    before(async () => {
      f = await hubFixture(dbs);
    });
    after(() => dbs.close());

    test(`${ROUNDS} mutated and random bodies (seed ${SEED}): 4xx with a reason, nothing stored, nothing leaked`, async () => {
      const rand = seededRandom(SEED);
      const code = ((await claimCode(f.app, f.dealerToken, f.academyId)).json() as ClaimCodeIssued).code;
      const count = async () => (await f.hubDb.db.selectFrom('units').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()).n;
      const before = Number(await count());
      const seen = new Set<string>();
      for (let i = 0; i < ROUNDS; i++) {
        const unit = makeUnit();
        const valid = signRegistrationRequest(unit.key, unit, await challenge(f.app), code) as unknown as Record<string, unknown>;
        const route = pick(rand, [HubRoutes.register, HubRoutes.challenge, HubRoutes.claimCode] as const);
        const body = route === HubRoutes.register ? mutate(rand, valid) : rand() < 0.5 ? mutate(rand, { purpose: 'live', academyId: f.academyId }) : randomValue(rand);
        const raw = rand() < 0.1;
        const res = await f.app.inject({
          method: 'POST',
          url: route.path,
          headers: { 'content-type': raw ? pick(rand, ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) : 'application/json', ...(route === HubRoutes.claimCode && rand() < 0.5 ? { authorization: `Bearer ${f.dealerToken}` } : {}) },
          payload: raw ? pick(rand, ['{', '{"unitId":', '\u0000\u0001', 'null', '[]', '{}'.repeat(9000), JSON.stringify(body).slice(0, 17)]) : JSON.stringify(body),
        });
        const where = `round ${i} (${route.path}): ${res.statusCode} ${res.body.slice(0, 200)}`;
        // A mutation can leave a request valid (a field set to an equal value); then it registers, which is right.
        if (res.statusCode === 201 && route === HubRoutes.register) continue;
        if (res.statusCode === 201 && route !== HubRoutes.register) continue;
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, where);
        assert.ok(apiError.is(res.json()), where);
        seen.add((res.json() as { error: { code: string } }).error.code);
        assert.ok(!res.body.includes(code), `the claim code is not echoed: ${where}`);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      }
      // The rounds reached each layer: the parser, the schema, the token check and the signature check.
      for (const c of ['invalid-message', 'unauthenticated', 'bad-signature']) assert.ok(seen.has(c), `no round was refused with ${c}: ${[...seen].join(', ')}`);
      // Only whole, valid requests registered: each one a unit with the claimed academy (the code is good once).
      const registered = await f.hubDb.db.selectFrom('units').select(['unit_id', 'owner_id']).execute();
      assert.ok(registered.length - before <= 1, `at most the one claim: ${registered.length - before}`);
      // The hub still works.
      assert.equal((await registerUnit(f.app, makeUnit())).statusCode, 201);
    });

    test(`${ROUNDS} hostile team calls (seed ${SEED + 1}): params, queries and bodies bent; no share lands outside the caller's groups`, async () => {
      const rand = seededRandom(SEED + 1);
      const admin = await addMember(f.hubDb.db, f.academyId, 'admin', 'admin');
      const driver = await addMember(f.hubDb.db, f.academyId, 'driver', 'member');
      const stranger = await addMember(f.hubDb.db, f.otherAcademyId, 'stranger', 'member');
      const auth = (t: string) => ({ authorization: `Bearer ${t}` });
      const groupId = (await f.app.inject({ method: 'POST', url: HubRoutes.createGroup.path, headers: auth(admin.token), payload: { name: 'G' } })).json().groupId as string;
      await f.app.inject({ method: 'POST', url: HubRoutes.addGroupMember.path.replace(':groupId', groupId), headers: auth(admin.token), payload: { memberId: driver.memberId, role: 'driver' } });
      const unitId = makeUnit().unitId;
      const validShare = { startedAt: '2026-05-01T10:00:00.000Z', trackId: null, laps: [{ lap: 1, timeMs: 60_000, sectorsMs: [30_000, 30_000] }], groups: [groupId] };
      const segment = () => {
        const text = String(pick(rand, [unitId, groupId, 's1', '..', '%00', '%E0%A4%A', '', 'x'.repeat(300), randomValue(rand)]));
        // A lone surrogate cannot be percent-encoded; send it raw, as a hostile client would.
        try {
          return encodeURIComponent(text);
        } catch {
          return text;
        }
      };
      for (let i = 0; i < ROUNDS; i++) {
        const token = pick(rand, [admin.token, driver.token, stranger.token, 'pwh_' + 'x'.repeat(43)]);
        const kind = Math.floor(rand() * 4);
        const res =
          kind === 0
            ? await f.app.inject({ method: 'PUT', url: `/hub/v1/sessions/${rand() < 0.5 ? unitId : segment()}/${rand() < 0.5 ? 's1' : segment()}`, headers: auth(token), payload: mutate(rand, validShare) as object })
            : kind === 1
              ? await f.app.inject({ method: 'GET', url: `/hub/v1/groups/${rand() < 0.5 ? groupId : segment()}/sessions?after=${segment()}`, headers: auth(token) })
              : kind === 2
                ? await f.app.inject({ method: 'POST', url: `/hub/v1/groups/${rand() < 0.5 ? groupId : segment()}/members`, headers: auth(token), payload: mutate(rand, { memberId: stranger.memberId, role: 'coach' }) as object })
                : await f.app.inject({ method: 'GET', url: `/hub/v1/sessions/${segment()}/${segment()}`, headers: auth(token) });
        const where = `round ${i}: ${res.statusCode} ${res.body.slice(0, 200)}`;
        assert.ok(res.statusCode < 500, where);
        if (res.statusCode >= 400) assert.ok(apiError.is(res.json()), where);
      }
      // Whatever got through: every share is by a driver of that group, and no stranger is in it.
      const shares = await f.hubDb.db
        .selectFrom('session_shares')
        .innerJoin('shared_sessions', (j) => j.onRef('shared_sessions.unit_id', '=', 'session_shares.unit_id').onRef('shared_sessions.session_id', '=', 'session_shares.session_id'))
        .leftJoin('group_members', (j) => j.onRef('group_members.group_id', '=', 'session_shares.group_id').onRef('group_members.member_id', '=', 'shared_sessions.driver_id'))
        .select(['shared_sessions.driver_id', 'group_members.role'])
        .execute();
      for (const s of shares) assert.equal(s.role, 'driver');
      const members = await f.hubDb.db.selectFrom('group_members').select('member_id').where('group_id', '=', groupId).execute();
      assert.ok(!members.some((m) => m.member_id === stranger.memberId), 'no member of another academy got in');
    });
  });
}
