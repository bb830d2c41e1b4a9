import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifySignedRegistration, signRegistrationRequest } from '@pitwall/protocol/node';
import { HubRoutes, type ClaimCodeIssued, type SignedRegistration } from '@pitwall/protocol';
import { readAudit } from '../../../src/audit.js';
import { buildHubServer } from '../../../src/server.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { challenge, claimCode, hubFixture, makeUnit, register, registerUnit, type HubFixture } from '../../helpers/hub-fixture.js';

// One suite, run on each database the hub supports: the same requests, the same answers.
for (const kind of DATABASE_KINDS) {
  describe(`registration (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    before(async () => {
      f = await hubFixture(dbs);
    });
    after(() => dbs.close());
    const units = () => f.hubDb.db.selectFrom('units').select(['unit_id', 'fingerprint', 'owner_id']).execute();

    test('valid: a unit proves its key with a fresh challenge and gets a record signed by the hub', async () => {
      const unit = makeUnit();
      const res = await registerUnit(f.app, unit);
      assert.equal(res.statusCode, 201, res.body);
      const record = verifySignedRegistration(res.json(), f.key.info.publicKey, unit);
      assert.equal(record.model, 'PW-1');
      assert.equal(record.owner, null);
      assert.equal(record.registeredAt, new Date(f.clock.now).toISOString());
      const audit = await readAudit(f.hubDb.db, { kind: 'registered' });
      assert.ok(audit.some((a) => a.unitId === unit.unitId && a.detail.fingerprint === record.fingerprint));
      // Once more with a fresh challenge and the same key: the same record, 200.
      f.clock.now += 1000;
      const again = await registerUnit(f.app, unit);
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(verifySignedRegistration(again.json(), f.key.info.publicKey, unit).registeredAt, record.registeredAt);
    });

    test("a record altered on the way, or checked against another hub's key, is refused by the unit", async () => {
      const unit = makeUnit();
      const answer = (await registerUnit(f.app, unit)).json() as SignedRegistration;
      const forged = { ...answer, record: { ...answer.record, model: 'PW-2' } };
      assert.throws(() => verifySignedRegistration(forged, f.key.info.publicKey, unit), /not signed by the pinned hub key/);
      const otherHub = makeUnit().publicKey;
      assert.throws(() => verifySignedRegistration(answer, otherHub, unit), /not signed by the pinned hub key/);
      assert.throws(() => verifySignedRegistration(answer, f.key.info.publicKey, makeUnit()), /another key/);
    });

    test('replayed: the same signed request sent again is refused and changes nothing', async () => {
      const unit = makeUnit();
      const req = signRegistrationRequest(unit.key, unit, await challenge(f.app));
      assert.equal((await register(f.app, req)).statusCode, 201);
      const before = await units();
      const replay = await register(f.app, req);
      assert.equal(replay.statusCode, 409);
      assert.equal(replay.json().error.code, 'challenge-used');
      assert.deepEqual(await units(), before);
    });

    test('the same request sent ten times at once registers once', async () => {
      const unit = makeUnit();
      const req = signRegistrationRequest(unit.key, unit, await challenge(f.app));
      const answers = await Promise.all(Array.from({ length: 10 }, () => register(f.app, req)));
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    });

    test('a request changed after signing, or on an unknown or expired challenge, is refused', async () => {
      const unit = makeUnit();
      const c = await challenge(f.app);
      const req = signRegistrationRequest(unit.key, unit, c);
      const changed = await register(f.app, { ...req, model: 'PW-9' });
      assert.equal(changed.statusCode, 401);
      assert.equal(changed.json().error.code, 'bad-signature');
      // A refused signature does not spend the challenge: the real request still goes through.
      assert.equal((await register(f.app, req)).statusCode, 201);

      const other = makeUnit();
      const c2 = await challenge(f.app);
      const wrongNonce = signRegistrationRequest(other.key, other, { challengeId: c2.challengeId, nonce: c.nonce });
      assert.equal((await register(f.app, wrongNonce)).json().error.code, 'challenge-unknown');

      const late = signRegistrationRequest(other.key, other, await challenge(f.app, 'live'));
      f.clock.now += 6 * 60_000;
      const expired = await register(f.app, late);
      assert.equal(expired.statusCode, 410);
      assert.equal(expired.json().error.code, 'challenge-expired');
      assert.equal((await units()).some((u) => u.unit_id === other.unitId), false);
    });

    test('wrong key: a second key for a registered unit id is refused, reported in the audit table, and changes nothing', async () => {
      const unit = makeUnit();
      const first = verifySignedRegistration((await registerUnit(f.app, unit)).json(), f.key.info.publicKey, unit);
      const clone = { ...makeUnit(), unitId: unit.unitId };
      const res = await registerUnit(f.app, clone);
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().error.code, 'key-mismatch');
      assert.match(res.json().error.message, new RegExp(first.fingerprint.replace(/[+/]/g, '.')));
      const reported = (await readAudit(f.hubDb.db, { kind: 'key-mismatch' })).find((a) => a.unitId === unit.unitId);
      assert.ok(reported, 'the mismatch is in the audit table');
      assert.equal(reported.detail.registered, first.fingerprint);
      assert.notEqual(reported.detail.presented, first.fingerprint);
      assert.equal((await units()).find((u) => u.unit_id === unit.unitId)?.fingerprint, first.fingerprint);
      // The real unit still registers with its own key.
      assert.equal((await registerUnit(f.app, unit)).statusCode, 200);
    });

    test('the address in a key-mismatch report: the socket, or X-Forwarded-For only behind a trusted proxy', async () => {
      const unit = makeUnit();
      await registerUnit(f.app, unit);
      const behindProxy = buildHubServer({ db: f.hubDb.db, key: f.key, now: () => f.clock.now, trustProxy: true });
      const sources: unknown[] = [];
      for (const app of [f.app, behindProxy]) {
        const clone = { ...makeUnit(), unitId: unit.unitId };
        const req = signRegistrationRequest(clone.key, clone, await challenge(app));
        const res = await app.inject({ method: 'POST', url: HubRoutes.register.path, payload: req, headers: { 'x-forwarded-for': '203.0.113.7' } });
        assert.equal(res.json().error.code, 'key-mismatch');
        const audit = await readAudit(f.hubDb.db, { kind: 'key-mismatch' });
        sources.push(audit.find((a) => a.unitId === unit.unitId && !sources.includes(a.detail.source))?.detail.source);
      }
      assert.deepEqual(sources, ['127.0.0.1', '203.0.113.7']);
      await behindProxy.close();
    });

    test('claim code: a dealer claims a unit for its academy once; the code reused is refused and registers nothing', async () => {
      const issued = await claimCode(f.app, f.dealerToken, f.academyId);
      assert.equal(issued.statusCode, 201, issued.body);
      const { code } = issued.json() as ClaimCodeIssued;
      const unit = makeUnit();
      const res = await registerUnit(f.app, unit, code);
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(verifySignedRegistration(res.json(), f.key.info.publicKey, unit).owner, { id: f.academyId, name: 'Kart Academy North' });

      const second = makeUnit();
      const reused = await registerUnit(f.app, second, code);
      assert.equal(reused.statusCode, 409);
      assert.equal(reused.json().error.code, 'claim-code-used');
      assert.doesNotMatch(reused.body, new RegExp(code), 'the code is not echoed');
      assert.equal((await units()).some((u) => u.unit_id === second.unitId), false, 'nothing registered');
      // Registering without a code still works, and claiming later puts it into the academy.
      assert.equal((await registerUnit(f.app, second)).statusCode, 201);
      const later = (await claimCode(f.app, f.dealerToken, f.academyId)).json() as ClaimCodeIssued;
      const claimed = await registerUnit(f.app, second, later.code);
      assert.equal(claimed.statusCode, 200);
      assert.equal(verifySignedRegistration(claimed.json(), f.key.info.publicKey, second).owner?.id, f.academyId);
      // A unit that belongs to an academy does not spend another code.
      const third = (await claimCode(f.app, f.dealerToken, f.academyId)).json() as ClaimCodeIssued;
      assert.equal((await registerUnit(f.app, second, third.code)).json().error.code, 'already-claimed');
      assert.equal((await registerUnit(f.app, makeUnit(), third.code)).statusCode, 201, 'the third code is still good');
    });

    test('claim codes: only a dealer member, only for an academy it serves; unknown and expired codes refused', async () => {
      const noToken = await f.app.inject({ method: 'POST', url: HubRoutes.claimCode.path, payload: { academyId: f.academyId } });
      assert.equal(noToken.statusCode, 401);
      assert.equal((await claimCode(f.app, 'pwh_' + 'A'.repeat(43), f.academyId)).statusCode, 401);
      assert.equal((await claimCode(f.app, f.academyToken, f.academyId)).json().error.code, 'not-a-dealer');
      assert.equal((await claimCode(f.app, f.dealerToken, f.otherAcademyId)).json().error.code, 'not-your-academy');
      assert.equal((await registerUnit(f.app, makeUnit(), 'ABCD-EFGH-JKLM-NPQR')).json().error.code, 'claim-code-unknown');
      const { code } = (await claimCode(f.app, f.dealerToken, f.academyId)).json() as ClaimCodeIssued;
      f.clock.now += 31 * 24 * 3_600_000;
      const expired = await registerUnit(f.app, makeUnit(), code);
      assert.equal(expired.statusCode, 410);
      assert.equal(expired.json().error.code, 'claim-code-expired');
    });
  });
}
