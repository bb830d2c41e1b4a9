import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { registrationRequestMessage } from '@pitwall/protocol';
import { loadPublicKey, loadSigningKey, signBirthCertificate, signRegistrationRequest, type SigningKey } from '@pitwall/protocol/node';
import { readAudit } from '../../../src/audit.js';
import { buildHubServer } from '../../../src/server.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { challenge, hubFixture, makeUnit, register, type HubFixture, type TestUnit } from '../../helpers/hub-fixture.js';

// A hub with vendor keys registers a unit it has not seen only with a birth certificate of its
// key from a trusted vendor; without vendor keys (development mode) it takes the first key.
const vendorKey = (): SigningKey => loadSigningKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());

for (const kind of DATABASE_KINDS) {
  describe(`birth certificates (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    const vendor = vendorKey();
    let f: HubFixture;
    let strict: FastifyInstance;
    before(async () => {
      f = await hubFixture(dbs);
      const trusted = loadPublicKey(vendor.publicKeyPem);
      strict = buildHubServer({ db: f.hubDb.db, key: f.key, now: () => f.clock.now, vendorKeys: new Map([[trusted.keyId, trusted]]) });
    });
    after(() => dbs.close());
    const certFor = (u: TestUnit, by = vendor, over: Partial<{ unitId: string; publicKey: string; model: string }> = {}) => signBirthCertificate(by, { unitId: u.unitId, publicKey: u.publicKey, model: u.model, ...over });
    const send = async (app: FastifyInstance, u: TestUnit, cert?: ReturnType<typeof certFor>) => register(app, signRegistrationRequest(u.key, u, await challenge(app), undefined, cert));
    const registered = async (unitId: string) => (await f.hubDb.db.selectFrom('units').select('unit_id').where('unit_id', '=', unitId).execute()).length === 1;

    test('refused without a certificate, with a stranger vendor, for another id, key or model (403 key-unvouched, audited, nothing registered)', async () => {
      const u = makeUnit();
      const other = makeUnit();
      const cases: [string, ReturnType<typeof certFor> | undefined, RegExp][] = [
        ['none', undefined, /carries no birth certificate/],
        ['stranger vendor', certFor(u, vendorKey()), /not a vendor key this side trusts/],
        ['another id', certFor(u, vendor, { unitId: other.unitId }), /for unit/],
        ['another key', certFor(u, vendor, { publicKey: other.publicKey }), /another key/],
        ['another model', certFor(u, vendor, { model: 'PW-2' }), /model/],
      ];
      for (const [why, cert, reason] of cases) {
        f.clock.now += 1000; // the newest audit record is this case's
        const res = await send(strict, u, cert);
        assert.equal(res.statusCode, 403, `${why}: ${res.body}`);
        assert.equal((res.json() as { error: { code: string } }).error.code, 'key-unvouched', why);
        const [audit] = await readAudit(f.hubDb.db, { kind: 'key-unvouched', limit: 1 });
        assert.equal(audit?.unitId, u.unitId);
        assert.match(String(audit?.detail.why), reason, why);
      }
      assert.equal(await registered(u.unitId), false);
    });

    test('a certificate of a trusted vendor registers the unit (its vendor key audited); later it registers again without one', async () => {
      const u = makeUnit();
      f.clock.now += 1000;
      const res = await send(strict, u, certFor(u));
      assert.equal(res.statusCode, 201, res.body);
      const [audit] = await readAudit(f.hubDb.db, { kind: 'registered', limit: 1 });
      assert.equal(audit?.detail.vendorKeyId, vendor.keyId);
      assert.equal((await send(strict, u)).statusCode, 200);
      // Another key for the same id, even with a genuine certificate of that key, is a mismatch.
      const clone = { ...makeUnit(), unitId: u.unitId };
      const cloned = await send(strict, clone, certFor(clone));
      assert.equal((cloned.json() as { error: { code: string } }).error.code, 'key-mismatch');
    });

    test('development mode (no vendor keys): the first key is taken, a certificate is not looked at', async () => {
      const u = makeUnit();
      assert.equal((await send(f.app, u)).statusCode, 201);
      const w = makeUnit();
      assert.equal((await send(f.app, w, certFor(w, vendorKey()))).statusCode, 201);
    });

    test('the unit signature covers the certificate: stripped or swapped, the request is refused (401)', async () => {
      const u = makeUnit();
      const req = signRegistrationRequest(u.key, u, await challenge(strict), undefined, certFor(u));
      const { birthCertificate: _cert, ...stripped } = req;
      assert.equal((await register(strict, stripped)).statusCode, 401);
      const swapped = signBirthCertificate(vendor, { unitId: u.unitId, publicKey: u.publicKey, model: u.model }, Date.parse('2020-01-01T00:00:00Z'));
      assert.equal((await register(strict, { ...req, birthCertificate: swapped })).statusCode, 401);
      assert.equal(await registered(u.unitId), false);
    });
  });
}

test('a request without a certificate signs the same bytes as before the field existed', () => {
  const fields = { unitId: '00000000-0000-4000-8000-000000000000', publicKey: 'k', model: 'PW-1', challengeId: 'c', nonce: 'n' };
  assert.equal(new TextDecoder().decode(registrationRequestMessage(fields)), 'pitwall-hub-registration-request-v1\n["00000000-0000-4000-8000-000000000000","k","PW-1","c","n",null]');
});
