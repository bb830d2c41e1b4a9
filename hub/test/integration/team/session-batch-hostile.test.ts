import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { HubRoutes, sharedSessionBatch, SESSION_BATCH_MAX_B, SESSION_BATCH_MAX_ITEMS } from '@pitwall/protocol';
import { seededRandom } from '../../../../protocol/test/seeded-random.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';
import { batchItem, call, join, newGroup, person, shareBatch, sharedState, type Person } from '../../helpers/team-fixture.js';

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const JUNK: unknown[] = [null, true, 0, -1, 1.5, 1e308, 2 ** 53 + 1, '', 'x'.repeat(300), '../x', "'; DROP TABLE shared_sessions; --", [], [1, 2], {}, { a: 1 }, '2026-05-01T10:00:00Z'];

/** Somewhere in a batch (the batch, an item, a lap, a list) bent one way: a value swapped for junk, a key dropped or added. */
function mutate(rand: Rand, batch: { sessions: Record<string, unknown>[] }): unknown {
  const copy = JSON.parse(JSON.stringify(batch)) as { sessions: Record<string, unknown>[] };
  const item = pick(rand, copy.sessions);
  const laps = item.laps as Record<string, unknown>[];
  const target: Record<string, unknown> = pick(rand, [copy as unknown as Record<string, unknown>, item, item, item, laps[0]!]);
  const key = pick(rand, Object.keys(target));
  switch (Math.floor(rand() * 5)) {
    case 0:
    case 1:
      target[key] = pick(rand, JUNK);
      break;
    case 2:
      delete target[key];
      break;
    case 3:
      target[`extra${Math.floor(rand() * 5)}`] = pick(rand, JUNK);
      break;
    default:
      // The same thing twice: a session or a group repeated.
      if (rand() < 0.5) copy.sessions.push({ ...item });
      else (item.groups as unknown[]).push((item.groups as unknown[])[0] ?? pick(rand, JUNK));
  }
  return copy;
}

// Whatever a member sends to the batch route, a refusal is a 4xx in the hub's error shape and
// nothing is written; the hub serves on. One seed, both databases.
for (const kind of DATABASE_KINDS) {
  describe(`hostile session batches (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    let driver: Person;
    let group: string;
    before(async () => {
      f = await hubFixture(dbs);
      const admin = await person(f.hubDb, f.academyId, 'Ada Admin', 'admin');
      group = await newGroup(f.app, admin, 'G');
      driver = await person(f.hubDb, f.academyId, 'd');
      await join(f.app, admin, group, driver.id, 'driver');
    });
    after(() => dbs.close());

    test('too large, too many, not JSON, wrong shapes: refused with a clear error, nothing written', async () => {
      const unit = randomUUID();
      const before = await sharedState(f.hubDb);
      // Over the body cap: 30 sessions of 1,000 laps of 32 sectors each, every one valid on its own.
      const huge = Array.from({ length: 30 }, (_, i) => ({
        ...batchItem(unit, `h${i}`, [group]),
        laps: Array.from({ length: 1000 }, (_, l) => ({ lap: l + 1, timeMs: 3_600_000, sectorsMs: Array.from({ length: 32 }, () => 3_600_000) })),
      }));
      assert.ok(JSON.stringify({ sessions: huge }).length > SESSION_BATCH_MAX_B);
      const tooLarge = await shareBatch(f.app, driver, huge);
      assert.equal(tooLarge.statusCode, 413);
      assert.ok(tooLarge.json().error.code);
      const tooMany = await shareBatch(f.app, driver, Array.from({ length: SESSION_BATCH_MAX_ITEMS + 1 }, (_, i) => batchItem(unit, `m${i}`, [group], 60_000, 1)));
      assert.equal(tooMany.statusCode, 400);
      assert.match(tooMany.json().error.message, /\/sessions/);
      const shapes: [unknown, RegExp][] = [
        [{}, /sessions/],
        [{ sessions: [] }, /sessions/],
        [{ sessions: 'all of them' }, /sessions/],
        [{ sessions: [batchItem(unit, 'ok', [group]), { ...batchItem(unit, 'bad', [group]), unitId: 'not-a-uuid' }] }, /\/sessions\/1\/unitId/],
        [{ sessions: [{ ...batchItem(unit, 'bad/slash', [group]) }] }, /\/sessions\/0\/sessionId/],
        [{ sessions: [{ ...batchItem(unit, 'x', [group]), owner: 'someone else' }] }, /\/sessions\/0/],
        [{ sessions: [batchItem(unit, 'x', [group])], driverId: driver.id }, /./],
      ];
      for (const [body, where] of shapes) {
        const res = await call(f.app, driver, 'POST', HubRoutes.shareSessionBatch.path, body as object);
        assert.equal(res.statusCode, 400, JSON.stringify(body).slice(0, 200));
        assert.equal(res.json().error.code, 'invalid-message');
        assert.match(res.json().error.message, where);
      }
      for (const text of ['{"sessions":[', 'null', '[]', '"x"']) {
        const res = await call(f.app, driver, 'POST', HubRoutes.shareSessionBatch.path, text);
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${text}: ${res.statusCode}`);
        assert.ok(res.json().error.code);
      }
      const twice = await shareBatch(f.app, driver, [batchItem(unit, 'x', [group]), batchItem(unit, 'y', [group, group])]);
      assert.deepEqual([twice.statusCode, twice.json().error.code], [400, 'duplicate-group']);
      assert.match(twice.json().error.message, /sessions\/1 /);
      const stranger = await f.app.inject({ method: 'POST', url: HubRoutes.shareSessionBatch.path, payload: { sessions: [batchItem(unit, 's', [group])] } });
      assert.equal(stranger.json().error.code, 'unauthenticated');
      assert.deepEqual(await sharedState(f.hubDb), before);
    });

    test('fuzzed batches (seeded): never a 5xx; what the schema refuses writes nothing; the hub serves on', async () => {
      const rand = seededRandom(0xba7c_16);
      const unit = randomUUID();
      const valid = { sessions: [batchItem(unit, 'f0', [group]), batchItem(unit, 'f1', [group]), batchItem(unit, 'f2', [])] };
      let refused = 0;
      let state = await sharedState(f.hubDb);
      for (let round = 0; round < 200; round++) {
        const body = mutate(rand, valid);
        const res = await call(f.app, driver, 'POST', HubRoutes.shareSessionBatch.path, body as object);
        assert.ok(res.statusCode < 500, `round ${round}: ${res.statusCode} ${res.body}`);
        if (!sharedSessionBatch.is(body)) {
          assert.equal(res.statusCode, 400, `round ${round}: ${JSON.stringify(body).slice(0, 300)}`);
          assert.equal(res.json().error.code, 'invalid-message');
        }
        if (res.statusCode === 200) {
          state = await sharedState(f.hubDb);
          continue;
        }
        refused++;
        assert.deepEqual(await sharedState(f.hubDb), state, `round ${round}: a refused batch wrote something`);
      }
      assert.ok(refused > 100, `most mutations are refused (${refused})`);
      assert.equal((await shareBatch(f.app, driver, valid.sessions)).statusCode, 200, 'and the hub serves on');
    });
  });
}
