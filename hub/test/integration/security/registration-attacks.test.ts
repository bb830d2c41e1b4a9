import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HubRoutes } from '@pitwall/protocol';
import { signRegistrationRequest } from '@pitwall/protocol/node';
import { readAudit } from '../../../src/audit.js';
import { buildHubServer } from '../../../src/server.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { challenge, hubFixture, makeUnit, register, registerUnit, type HubFixture } from '../../helpers/hub-fixture.js';
import { snapshot } from '../../helpers/two-academies.js';

// Registration is the one route that writes for a stranger. What an attacker tries: a request
// carried from one hub to another, a unit id with a signature by some other key, learning which
// unit ids are registered from the way refusals differ, and filling the challenges table.
for (const kind of DATABASE_KINDS) {
  describe(`registration under attack (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    let g: HubFixture;
    before(async () => {
      f = await hubFixture(dbs);
      g = await hubFixture(dbs);
    });
    after(() => dbs.close());

    test("a request signed for hub F, carried to hub G: G never issued its challenge; refused, nothing written, and F still takes it", async () => {
      const unit = makeUnit();
      const forF = signRegistrationRequest(unit.key, unit, await challenge(f.app));
      const before = await snapshot(g);
      const res = await register(g.app, forF);
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.code, 'challenge-unknown');
      assert.equal(await snapshot(g), before);
      assert.equal((await register(f.app, forF)).statusCode, 201);
    });

    test('a unit id with a signature by another key than the one named: refused before anything is read or written', async () => {
      const victim = makeUnit();
      assert.equal((await registerUnit(f.app, victim)).statusCode, 201);
      const attacker = makeUnit();
      // Names the victim's key, signed with the attacker's.
      const forged = { ...signRegistrationRequest(attacker.key, { ...victim }, await challenge(f.app)), publicKey: victim.publicKey };
      const before = await snapshot(f);
      const res = await register(f.app, forged);
      assert.equal(res.json().error.code, 'bad-signature');
      assert.equal(await snapshot(f), before, 'not even the challenge is spent');
      // Names its own key for the victim's id: a signature that holds, a key that does not match; refused and audited.
      const clone = signRegistrationRequest(attacker.key, { ...attacker, unitId: victim.unitId }, await challenge(f.app));
      assert.equal((await register(f.app, clone)).json().error.code, 'key-mismatch');
      assert.ok((await readAudit(f.hubDb.db, { kind: 'key-mismatch' })).some((a) => a.unitId === victim.unitId));
      const row = await f.hubDb.db.selectFrom('units').select('public_key').where('unit_id', '=', victim.unitId).executeTakeFirstOrThrow();
      assert.equal(row.public_key, victim.publicKey, 'the registered key is not replaced');
    });

    test('which unit ids are registered is not told by a refusal that comes before the unit is looked at', async () => {
      const registered = makeUnit();
      assert.equal((await registerUnit(f.app, registered)).statusCode, 201);
      const stranger = makeUnit();
      const answers = async (unitId: string) => {
        const out: string[] = [];
        // A bad signature.
        const c1 = await challenge(f.app);
        const bad = { ...signRegistrationRequest(stranger.key, { ...stranger, unitId }, c1), signature: 'A'.repeat(86) + '==' };
        out.push((await register(f.app, bad)).body);
        // An unknown challenge (well signed).
        const c2 = { ...(await challenge(f.app)), challengeId: '0'.repeat(32) };
        out.push((await register(f.app, signRegistrationRequest(stranger.key, { ...stranger, unitId }, c2))).body);
        // An expired one (well signed).
        const c3 = await challenge(f.app);
        f.clock.now += 10 * 60_000;
        const expired = (await register(f.app, signRegistrationRequest(stranger.key, { ...stranger, unitId }, c3))).body;
        out.push(expired.replace(/expired at [^;]+;/, 'expired at T;'));
        return out;
      };
      assert.deepEqual(await answers(registered.unitId), await answers(makeUnit().unitId));
    });

    test('expired challenges are purged: a live one an hour after it expired, a forward one a day after', async () => {
      const t0 = f.clock.now;
      const live = await challenge(f.app);
      const forward = await challenge(f.app, 'forward', f.academyToken);
      const ids = async () => (await f.hubDb.db.selectFrom('challenges').select('id').where('id', 'in', [live.challengeId, forward.challengeId]).execute()).map((r) => r.id).sort();
      // A hub process sweeps on its first challenge (and every 256th after).
      const later = (ms: number) => buildHubServer({ db: f.hubDb.db, key: f.key, now: () => t0 + ms });
      const at30min = later(30 * 60_000);
      await challenge(at30min);
      assert.deepEqual(await ids(), [live.challengeId, forward.challengeId].sort(), 'expired 25 min ago: kept, so a late unit is told "expired"');
      const at2h = later(2 * 3_600_000);
      await challenge(at2h);
      assert.deepEqual(await ids(), [forward.challengeId]);
      const at16d = later(16 * 24 * 3_600_000);
      await challenge(at16d);
      assert.deepEqual(await ids(), []);
      for (const app of [at30min, at2h, at16d]) await app.close();
    });

    test('a forward challenge (14 days) is for members only; without a token nothing is written', async () => {
      const before = await snapshot(f);
      const res = await f.app.inject({ method: 'POST', url: HubRoutes.challenge.path, payload: { purpose: 'forward' } });
      assert.equal(res.statusCode, 401);
      assert.equal(await snapshot(f), before);
    });
  });
}
