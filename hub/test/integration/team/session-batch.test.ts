import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { HubRoutes, type GroupSessionsPage, type SharedSession, type SharedSessionBatchResult } from '@pitwall/protocol';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';
import { batchItem, call, join, newGroup, person, routePath, shareBatch, sharedState, type Person } from '../../helpers/team-fixture.js';

// The batch route: a driver's day in one request and one transaction. Same suite on both databases.
for (const kind of DATABASE_KINDS) {
  describe(`sharing sessions in a batch (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    let admin: Person;
    let otherAdmin: Person;
    let g1: string;
    let g2: string;
    let gOther: string;
    let d1: Person;
    let d2: Person;
    let coach: Person;
    const read = (who: Person, unitId: string, sessionId: string) => call(f.app, who, 'GET', routePath(HubRoutes.readSession.path, { unitId, sessionId }));
    const list = async (who: Person, groupId: string) => ((await call(f.app, who, 'GET', routePath(HubRoutes.groupSessions.path, { groupId }))).json() as GroupSessionsPage).sessions;

    before(async () => {
      f = await hubFixture(dbs);
      admin = await person(f.hubDb, f.academyId, 'Ada Admin', 'admin');
      otherAdmin = await person(f.hubDb, f.otherAcademyId, 'Bo Admin', 'admin');
      [g1, g2] = [await newGroup(f.app, admin, 'G1'), await newGroup(f.app, admin, 'G2')];
      gOther = await newGroup(f.app, otherAdmin, 'Elsewhere');
      [d1, d2, coach] = [await person(f.hubDb, f.academyId, 'd1'), await person(f.hubDb, f.academyId, 'd2'), await person(f.hubDb, f.academyId, 'coach')];
      for (const g of [g1, g2]) {
        await join(f.app, admin, g, d1.id, 'driver');
        await join(f.app, admin, g, d2.id, 'driver');
      }
      await join(f.app, admin, g1, coach.id, 'coach');
    });
    after(() => dbs.close());

    test('a day in one request: every session stored with its laps and groups, answered in the order sent', async () => {
      const [u1, u2] = [randomUUID(), randomUUID()];
      const day = [...Array.from({ length: 6 }, (_, i) => batchItem(u1, `day-${i}`, [g1], 60_000 + i, 30)), ...Array.from({ length: 4 }, (_, i) => batchItem(u2, `day-${i}`, [g1, g2], 62_000 + i, 28))];
      const res = await shareBatch(f.app, d1, day);
      assert.equal(res.statusCode, 200, res.body);
      const answer = res.json() as SharedSessionBatchResult;
      assert.deepEqual(answer.sessions, day.map((s) => ({ unitId: s.unitId, sessionId: s.sessionId, laps: s.laps.length })));
      const stored = (await read(d1, u2, 'day-3')).json() as SharedSession;
      assert.deepEqual([stored.driverId, stored.laps, stored.updatedAt], [d1.id, day[9]!.laps, answer.updatedAt]);
      assert.equal((await list(coach, g1)).length, 10);
      assert.deepEqual((await list(d2, g2)).map((s) => `${s.unitId}/${s.sessionId}`).sort(), day.slice(6).map((s) => `${s.unitId}/${s.sessionId}`).sort());
    });

    test('sent again, a batch replaces laps and groups of each session; a full batch (500 sessions, 16 groups each) passes the parameter limits', async () => {
      const unit = randomUUID();
      const first = [batchItem(unit, 'r1', [g1, g2]), batchItem(unit, 'r2', [g1]), batchItem(unit, 'r3', [])];
      assert.equal((await shareBatch(f.app, d1, first)).statusCode, 200);
      const again = [batchItem(unit, 'r1', [g2], 59_000, 5), batchItem(unit, 'r2', []), batchItem(unit, 'r3', [g1])];
      assert.equal((await shareBatch(f.app, d1, again)).statusCode, 200);
      const rows = (await sharedState(f.hubDb)).shares.filter((s) => s.unit_id === unit).map((s) => `${s.session_id}:${s.group_id}`).sort();
      assert.deepEqual(rows, [`r1:${g2}`, `r3:${g1}`]);
      assert.deepEqual(((await read(d1, unit, 'r1')).json() as SharedSession).laps, again[0]!.laps);
      assert.equal((await read(coach, unit, 'r2')).statusCode, 404, 'unshared from G1');
      const stored = (await sharedState(f.hubDb)).sessions.find((s) => s.unit_id === unit && s.session_id === 'r1')!;
      assert.equal(stored.laps, JSON.stringify(again[0]!.laps), 'the laps kept as the JSON sent');
      // The fleet distributions' packed copy follows: replaced, removed off a track or without laps, made on one.
      const packedOf = async () => (await sharedState(f.hubDb)).packed.filter((p) => p.unit_id === unit).map((p) => `${p.session_id}:${p.track_id}:${p.laps}`);
      assert.deepEqual(await packedOf(), ['r1:catalog:lydd-international:5', 'r2:catalog:lydd-international:3', 'r3:catalog:lydd-international:3']);
      const moved = [{ ...batchItem(unit, 'r1', [g2]), trackId: null }, { ...batchItem(unit, 'r2', []), laps: [] }, { ...batchItem(unit, 'r3', [g1], 58_000, 4), trackId: 'user:elsewhere' }];
      assert.equal((await shareBatch(f.app, d1, moved)).statusCode, 200);
      assert.deepEqual(await packedOf(), ['r3:user:elsewhere:4']);

      const many: string[] = [];
      for (let i = 0; i < 16; i++) many.push(await newGroup(f.app, admin, `many-${i}`));
      for (const g of many) await join(f.app, admin, g, d2.id, 'driver');
      const bigUnit = randomUUID();
      const full = Array.from({ length: 500 }, (_, i) => batchItem(bigUnit, `f${i}`, many, 60_000, 2));
      for (let round = 0; round < 2; round++) {
        const res = await shareBatch(f.app, d2, full);
        assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      }
      const state = await sharedState(f.hubDb);
      assert.equal(state.sessions.filter((s) => s.unit_id === bigUnit).length, 500);
      assert.equal(state.shares.filter((s) => s.unit_id === bigUnit).length, 8000);
    });

    test('all or nothing: each kind of refusal names the session by its index and writes nothing', async () => {
      const unit = randomUUID();
      assert.equal((await shareBatch(f.app, d2, [batchItem(unit, 'theirs', [g1])])).statusCode, 200);
      assert.equal((await shareBatch(f.app, d1, [batchItem(unit, 'mine', [g1])])).statusCode, 200);
      // Before the bad one: a session of the caller's to update and new ones to insert, in key order around it.
      const good = (sessionId: string) => batchItem(unit, sessionId, [g1, g2], 58_000);
      const cases: { bad: unknown; status: number; code: string }[] = [
        { bad: batchItem(unit, 'theirs', [g1]), status: 409, code: 'session-of-another-driver' },
        { bad: batchItem(unit, 'new-x', [g1, gOther]), status: 404, code: 'no-such-group' },
        { bad: batchItem(unit, 'new-x', ['0'.repeat(32)]), status: 404, code: 'no-such-group' },
        { bad: batchItem(unit, 'mine', [g1]), status: 400, code: 'duplicate-session' },
        { bad: { ...batchItem(unit, 'new-x', [g1]), laps: [{ lap: 1, timeMs: '61000', sectorsMs: [] }] }, status: 400, code: 'invalid-message' },
      ];
      const before = await sharedState(f.hubDb);
      for (const c of cases) {
        const res = await shareBatch(f.app, d1, [good('a-new'), good('mine'), good('new-b'), c.bad, good('z-new')]);
        assert.equal(res.statusCode, c.status, res.body);
        const err = (res.json() as { error: { code: string; message: string } }).error;
        assert.equal(err.code, c.code);
        assert.match(err.message, /sessions\/3\b/, `the refusal names the item: ${err.message}`);
        assert.deepEqual(await sharedState(f.hubDb), before, `${c.code}: nothing written`);
      }
      // A coach shares nothing, even among sessions of groups they coach and drive in elsewhere.
      await join(f.app, admin, g2, coach.id, 'driver');
      const res = await shareBatch(f.app, coach, [batchItem(unit, 'c1', [g2]), batchItem(unit, 'c2', [g2, g1])]);
      assert.equal(res.json().error.code, 'not-a-driver');
      assert.match(res.json().error.message, /sessions\/1 \(unit [0-9a-f-]+, session c2\)/);
      assert.deepEqual(await sharedState(f.hubDb), before);
      // And the route of one session keeps its plain message.
      const one = await call(f.app, d1, 'PUT', routePath(HubRoutes.shareSession.path, { unitId: unit, sessionId: 'theirs' }), { ...batchItem(unit, 'x', [g1]), unitId: undefined, sessionId: undefined });
      assert.deepEqual(one.json().error, { code: 'session-of-another-driver', message: 'This session was shared by another driver.' });
    });

    test('group isolation holds for batch-shared sessions', async () => {
      const unit = randomUUID();
      const outsider = await person(f.hubDb, f.academyId, 'outsider');
      await join(f.app, admin, g2, outsider.id, 'analyst');
      const g2Driver = await person(f.hubDb, f.academyId, 'g2 driver');
      await join(f.app, admin, g2, g2Driver.id, 'driver');
      assert.equal((await shareBatch(f.app, d1, [batchItem(unit, 'iso-1', [g1]), batchItem(unit, 'iso-2', [])])).statusCode, 200);
      assert.equal((await read(coach, unit, 'iso-1')).statusCode, 200);
      for (const who of [outsider, g2Driver, otherAdmin, admin]) {
        assert.equal((await read(who, unit, 'iso-1')).json().error?.code, 'no-such-session');
        assert.equal((await read(who, unit, 'iso-2')).statusCode, 404);
      }
      assert.equal((await read(coach, unit, 'iso-2')).statusCode, 404, 'shared with no group: its driver only');
      assert.equal((await read(d1, unit, 'iso-2')).statusCode, 200);
      assert.ok(!(await list(outsider, g2)).some((s) => s.unitId === unit));
      assert.equal((await call(f.app, otherAdmin, 'GET', routePath(HubRoutes.groupSessions.path, { groupId: g1 }))).json().error.code, 'no-such-group');
    });

    test('two drivers send batches touching the same sessions at once: one owns them all, the other wrote nothing', async () => {
      for (let round = 0; round < 8; round++) {
        const unit = randomUUID();
        // Many contested sessions, in opposite orders: the hub writes in key order, so the two queue instead of deadlocking.
        const contested = Array.from({ length: 150 }, (_, i) => `c${String(i).padStart(3, '0')}`);
        const a = [...contested.map((id) => batchItem(unit, id, [g1])), batchItem(unit, `a-${round}`, [g1])];
        const b = [batchItem(unit, `b-${round}`, [g2]), ...[...contested].reverse().map((id) => batchItem(unit, id, [g2], 70_000))];
        const [ra, rb] = await Promise.all([shareBatch(f.app, d1, a), shareBatch(f.app, d2, b)]);
        const statuses = [ra.statusCode, rb.statusCode].sort();
        assert.deepEqual(statuses, [200, 409], `${ra.body.slice(-200)} ${rb.body.slice(-200)}`);
        const winner = ra.statusCode === 200 ? d1 : d2;
        const loser = winner === d1 ? rb : ra;
        assert.equal(loser.json().error.code, 'session-of-another-driver');
        const state = await sharedState(f.hubDb);
        const rows = state.sessions.filter((s) => s.unit_id === unit);
        const own = winner === d1 ? `a-${round}` : `b-${round}`;
        assert.deepEqual(rows.map((r) => r.session_id).sort(), [...contested, own].sort());
        assert.ok(rows.every((r) => r.driver_id === winner.id));
        const group = winner === d1 ? g1 : g2;
        assert.deepEqual(state.shares.filter((s) => s.unit_id === unit).map((s) => `${s.session_id}:${s.group_id}`).sort(), [...contested, own].map((id) => `${id}:${group}`).sort());
      }
    });
  });
}
