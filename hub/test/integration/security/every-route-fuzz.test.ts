import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { apiError, editRoster, emptyRoster, HubRoutes, type HubRoute } from '@pitwall/protocol';
import { signRegistrationRequest } from '@pitwall/protocol/node';
import { seededRandom } from '../../../../protocol/test/seeded-random.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { challenge, hubFixture, makeUnit, type HubFixture } from '../../helpers/hub-fixture.js';
import { academyWorld, auth, bookWith, pathOf, snapshot, type AcademyWorld } from '../../helpers/two-academies.js';

const SEED = 0x5ec_0016;
const ROUNDS = 240;
type Rand = () => number;
type RouteName = keyof typeof HubRoutes;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** Text an attacker tries in any string: separators, SQL, prototype keys, unicode (NUL, a lone surrogate, bidi, emoji), paths, huge. */
const HOSTILE_TEXT = [
  '', ' ', '\u0000', 'team\u0000red', '\ud800', 'a\udfffb', '\u202etxt.exe', '🏁🏎️', 'Ærø Ñandú 東京', '~', '2026-01-01T00:00:00.000Z~x~y',
  "'; DROP TABLE members; --", "x' OR '1'='1", '$1', '%00', '../../etc/passwd', '__proto__', 'constructor', 'prototype',
  'A'.repeat(100_000), '{"a":'.repeat(50),
];

function hostileValue(rand: Rand, depth = 0): unknown {
  switch (Math.floor(rand() * (depth > 2 ? 5 : 7))) {
    case 0: return pick(rand, [null, true, false, 0, -1, 1e308, 2 ** 53 + 1, 0.5]);
    case 1: case 2: return pick(rand, HOSTILE_TEXT);
    case 3: return 'x'.repeat(Math.floor(rand() * 300));
    case 4: return [];
    case 5: return Array.from({ length: 1 + Math.floor(rand() * 3) }, () => hostileValue(rand, depth + 1));
    default: return Object.fromEntries(Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, i) => [pick(rand, [`k${i}`, '__proto__', 'constructor']), hostileValue(rand, depth + 1)]));
  }
}

/** A valid object bent at one place, somewhere down its tree. */
function bend(rand: Rand, value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || (depth > 0 && rand() < 0.3)) return hostileValue(rand);
  if (Array.isArray(value)) {
    if (value.length === 0 || rand() < 0.2) return [...value, hostileValue(rand)];
    const i = Math.floor(rand() * value.length);
    return value.map((v, j) => (j === i ? bend(rand, v, depth + 1) : v));
  }
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(out);
  const r = rand();
  if (r < 0.15 || keys.length === 0) out[pick(rand, ['extra', 'constructor', 'isAdmin'])] = hostileValue(rand);
  else if (r < 0.3) delete out[pick(rand, keys)];
  else {
    const k = pick(rand, keys);
    out[k] = bend(rand, out[k], depth + 1);
  }
  return out;
}

// A gzip bomb: 64 MiB of zeros in about 64 KiB. The hub does not inflate bodies.
const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, '0'));

const segment = (rand: Rand): string => {
  const text = String(pick(rand, [...HOSTILE_TEXT.slice(0, -2), 'x'.repeat(99), 'x'.repeat(101), 'a b', '%2F', '..']));
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
};

/** What a response may not show: a stack, source paths, SQL or the database's words, a token. */
const LEAKS = /\bat [\w.<>]+ \(|\.[jt]s:\d+|node_modules|\/tmp\/|\/home\/|\/root\/|\bSELECT\b|\bINSERT\b|\bUPDATE\b|sqlite|SQLITE_|relation "|syntax error|violates|pwh_[A-Za-z0-9_-]{20}/i;

for (const kind of DATABASE_KINDS) {
  describe(`every hub route fuzzed (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    let w: AcademyWorld;
    let valid: Record<RouteName, () => Promise<InjectOptions>>;
    before(async () => {
      f = await hubFixture(dbs);
      w = await academyWorld(f, 'North');
      const session = { startedAt: '2026-05-01T10:00:00.000Z', trackId: w.trackId, laps: [{ lap: 1, timeMs: 95_000, sectorsMs: [40_000, 55_000] }], groups: [w.groupId] };
      valid = {
        key: async () => ({ method: 'GET', url: HubRoutes.key.path }),
        challenge: async () => ({ method: 'POST', url: HubRoutes.challenge.path, payload: { purpose: 'live' } }),
        register: async () => {
          const u = makeUnit();
          return { method: 'POST', url: HubRoutes.register.path, payload: signRegistrationRequest(u.key, u, await challenge(f.app)) };
        },
        claimCode: async () => ({ method: 'POST', url: HubRoutes.claimCode.path, headers: auth(w.dealer), payload: { academyId: w.id } }),
        createGroup: async () => ({ method: 'POST', url: HubRoutes.createGroup.path, headers: auth(w.admin), payload: { name: 'Class of June' } }),
        addGroupMember: async () => ({ method: 'POST', url: pathOf(HubRoutes.addGroupMember.path, { groupId: w.groupId }), headers: auth(w.admin), payload: { memberId: w.driver.id, role: 'driver' } }),
        shareSession: async () => ({ method: 'PUT', url: pathOf(HubRoutes.shareSession.path, { unitId: w.unitId, sessionId: w.sessionId }), headers: auth(w.driver), payload: session }),
        shareSessionBatch: async () => ({
          method: 'POST',
          url: HubRoutes.shareSessionBatch.path,
          headers: auth(w.driver),
          payload: { sessions: [{ unitId: w.unitId, sessionId: w.sessionId, ...session }, { unitId: w.unitId, sessionId: 'batch-2', ...session }] },
        }),
        readSession: async () => ({ method: 'GET', url: pathOf(HubRoutes.readSession.path, { unitId: w.unitId, sessionId: w.sessionId }), headers: auth(w.driver) }),
        groupSessions: async () => ({ method: 'GET', url: `${pathOf(HubRoutes.groupSessions.path, { groupId: w.groupId })}?after=${encodeURIComponent(`2026-01-01T00:00:00.000Z~${w.unitId}~s1`)}`, headers: auth(w.driver) }),
        fleetDistribution: async () => ({ method: 'GET', url: `${pathOf(HubRoutes.fleetDistribution.path, { trackId: w.trackId })}?groupId=${w.groupId}&groupBy=driver&mark=North%20driver`, headers: auth(w.driver) }),
        registryPush: async () => ({ method: 'POST', url: HubRoutes.registryPush.path, headers: auth(w.admin), payload: { laptop: w.laptop, book: bookWith('North Sonoma', w.laptop) } }),
        registryPull: async () => ({ method: 'GET', url: `${HubRoutes.registryPull.path}?after=0&limit=5`, headers: auth(w.admin) }),
        myGroups: async () => ({ method: 'GET', url: HubRoutes.myGroups.path, headers: auth(w.driver) }),
        rosterPush: async () => ({
          method: 'POST',
          url: HubRoutes.rosterPush.path,
          headers: auth(w.admin),
          payload: { laptop: w.laptop, rosters: { [w.groupId]: editRoster(emptyRoster(), { kind: 'rename', name: 'North renamed' }, { ms: Date.now(), n: 0, node: w.laptop }) } },
        }),
        rosterPull: async () => ({ method: 'GET', url: `${HubRoutes.rosterPull.path}?after=0&limit=5`, headers: auth(w.admin) }),
      };
    });
    after(() => dbs.close());

    test('every route of HubRoutes has a valid request here to bend', async () => {
      for (const name of Object.keys(HubRoutes) as RouteName[]) {
        assert.ok(name in valid, `route ${name} is not fuzzed`);
        const res = await f.app.inject(await valid[name]());
        assert.ok(res.statusCode < 300, `the valid ${name} is answered: ${res.statusCode} ${res.body}`);
      }
    });

    /** One request bent one way: its body, a path segment, its query, its content type or encoding. */
    async function bent(rand: Rand, name: RouteName): Promise<{ opts: InjectOptions; how: string }> {
      const route: HubRoute = HubRoutes[name];
      const opts = await valid[name]();
      const headers = { ...(opts.headers as Record<string, string> | undefined) };
      const how = Math.floor(rand() * 7);
      if (how <= 1 && route.body) return { opts: { ...opts, payload: bend(rand, opts.payload) as object }, how: 'body' };
      if (how === 2 && route.params) {
        const parts = String(opts.url).split('?')[0]!.split('/');
        const at = 3 + Math.floor(rand() * (parts.length - 3));
        parts[at] = segment(rand);
        return { opts: { ...opts, url: parts.join('/') + (String(opts.url).includes('?') ? `?${String(opts.url).split('?')[1]}` : '') }, how: 'path' };
      }
      if (how === 3) {
        const key = pick(rand, ['after', 'limit', 'groupId', 'groupBy', 'mark', '__proto__', 'constructor', 'x']);
        const value = pick(rand, [segment(rand), `${encodeURIComponent("2026-01-01T00:00:00.000Z~' OR 1=1 --~x")}`, '1&after=2', '-1', '1e9', '0x10', '%7E%7E%7E']);
        return { opts: { ...opts, url: `${String(opts.url).split('?')[0]}?${key}=${value}&${key}=${value}` }, how: 'query' };
      }
      if (how === 4) {
        const raw = pick(rand, [
          '[' .repeat(50_000) + ']'.repeat(50_000),
          '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000),
          '{"__proto__":{"isAdmin":true},"name":"x"}',
          '{"constructor":{"prototype":{"isAdmin":true}},"name":"x"}',
          '{"name":"\\u0000"}',
          `{"name":"${'\\ud800'}"}`,
          '{',
          '',
          'null',
        ]);
        return { opts: { ...opts, headers: { ...headers, 'content-type': 'application/json' }, payload: raw }, how: 'raw body' };
      }
      if (how === 5) {
        const body = JSON.stringify(opts.payload ?? {});
        const ct = pick(rand, ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/xml', '']);
        return { opts: { ...opts, method: route.method === 'GET' ? 'POST' : opts.method, headers: { ...headers, 'content-type': ct }, payload: body }, how: 'content type' };
      }
      return { opts: { ...opts, headers: { ...headers, 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: bomb }, how: 'gzip bomb' };
    }

    test(`${ROUNDS} bent requests over every route (seed ${SEED}): a 4xx with a reason and nothing written, or a valid answer; no leak; still serving`, async () => {
      const rand = seededRandom(SEED);
      const names = Object.keys(HubRoutes) as RouteName[];
      const seenCodes = new Set<string>();
      for (let i = 0; i < ROUNDS; i++) {
        const name = names[i % names.length]!;
        const { opts, how } = await bent(rand, name);
        const before = await snapshot(f);
        const res = await f.app.inject(opts);
        const where = `round ${i} ${name} (${how}): ${res.statusCode} ${res.body.slice(0, 300)}`;
        assert.ok(res.statusCode < 500, where);
        assert.ok(!LEAKS.test(res.body), `leak: ${where}`);
        if (res.statusCode >= 400) {
          assert.ok(apiError.is(res.json()), where);
          seenCodes.add(res.json().error.code);
          assert.equal(await snapshot(f), before, `nothing written: ${where}`);
        }
        assert.equal(({} as Record<string, unknown>).isAdmin, undefined, 'no prototype polluted');
      }
      for (const c of ['invalid-message', 'invalid-text']) assert.ok(seenCodes.has(c), `no round reached ${c}: ${[...seenCodes].join(', ')}`);
      for (const name of names) assert.ok((await f.app.inject(await valid[name]())).statusCode < 300, `${name} still served`);
    });

    test('text the database cannot keep as sent (NUL, a lone surrogate) in a group or track name: 400 invalid-text on both databases, nothing written', async () => {
      // JSON escapes, as a client sends them: the parsed strings hold a NUL or a lone surrogate.
      for (const bad of ['Team\\u0000Red', 'Team \\ud800', '\\udc00', 'Team \\uD83D', '\\u0041\\uDE00']) {
        const before = await snapshot(f);
        const group = await f.app.inject({ method: 'POST', url: HubRoutes.createGroup.path, headers: { ...auth(w.admin), 'content-type': 'application/json' }, payload: `{"name":"${bad}"}` });
        assert.equal(group.statusCode, 400, group.body);
        assert.equal(group.json().error.code, 'invalid-text');
        const push = await f.app.inject({ method: 'POST', url: HubRoutes.registryPush.path, headers: { ...auth(w.admin), 'content-type': 'application/json' }, payload: JSON.stringify({ laptop: w.laptop, book: bookWith('NAME', w.laptop) }).replace('NAME', bad) });
        assert.equal(push.json().error.code, 'invalid-text', push.body);
        const batch = JSON.stringify((await valid.shareSessionBatch()).payload).replace(/"sessionId":"[^"]*"/, `"sessionId":"${bad}"`);
        const badBatch = await f.app.inject({ method: 'POST', url: HubRoutes.shareSessionBatch.path, headers: { ...auth(w.driver), 'content-type': 'application/json' }, payload: batch });
        assert.equal(badBatch.json().error.code, 'invalid-text', badBatch.body);
        assert.equal(await snapshot(f), before);
      }
      // Unicode a person writes is kept as written.
      const named = await f.app.inject({ method: 'POST', url: HubRoutes.createGroup.path, headers: auth(w.admin), payload: { name: 'Ærø 🏁 東京 \u202e' } });
      assert.equal(named.statusCode, 201, named.body);
      assert.equal(named.json().name, 'Ærø 🏁 東京 \u202e');
    });

    test('oversized bodies: past the route limit (256 KiB; 32 MiB for a registry push) 413 and nothing written', async () => {
      for (const name of Object.keys(HubRoutes) as RouteName[]) {
        const route: HubRoute = HubRoutes[name];
        if (!route.body) continue;
        const opts = await valid[name]();
        const limit = route.maxBodyB ?? 256 * 1024;
        const before = await snapshot(f);
        const res = await f.app.inject({ ...opts, headers: { ...(opts.headers as object), 'content-type': 'application/json' }, payload: `{"pad":"${'x'.repeat(limit + 1)}"}` });
        assert.equal(res.statusCode, 413, `${name}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        assert.ok(apiError.is(res.json()));
        assert.equal(await snapshot(f), before);
      }
    });
  });
}
