import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import {
  apiError,
  registrationRecordMessage,
  registrationRequest,
  registrationRequestMessage,
  Routes,
  unitHubRegistration,
  type RegistrationRecord,
  type SignedRegistration,
  type UnitHubRegistration,
} from '@pitwall/protocol';
import { publicKeyBase64, signBirthCertificate, loadSigningKey } from '@pitwall/protocol/node';
import { DEVICE_CLI, startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { fingerprintOf } from '../../../src/identity/unit-key.js';
import { tempDir } from '../../helpers/paths.js';
import { https, makeOperator, pairOverSerial, readAudit, type OperatorCreds, type Res } from '../../helpers/https-client.js';
import { pick, prng } from '../../helpers/prng.js';

// The unit's hub registration routes against a real sim unit: it signs with its identity key
// (with its birth certificate when it holds one), and keeps a hub's record only when the hub is
// one it signed for, the signature holds and the record names this unit and this key.

const run = promisify(execFile);
let unit: SimUnit;
let data: { dir: string; cleanup: () => Promise<void> };
let base: string;
let owner: OperatorCreds;
let dealer: OperatorCreds;
let staff: OperatorCreds;
let unitDir: string;

const hub = generateKeyPairSync('ed25519');
const hubPublicKey = publicKeyBase64(hub.publicKey);
const challenge = (n: number) => ({ challengeId: n.toString(16).padStart(32, '0'), nonce: Buffer.alloc(32, n).toString('base64') });
const code = (res: Res) => apiError.parse(JSON.parse(res.body)).error.code;
const view = async (): Promise<UnitHubRegistration> => unitHubRegistration.parse(JSON.parse((await https(base, 'GET', Routes.hubRegistration.path, { client: owner })).body));
const ask = (client: OperatorCreds, body: object) => https(base, 'POST', Routes.hubRegistrationRequest.path, { client, body });
const deliver = (body: object, client = owner) => https(base, 'PUT', Routes.hubRegistrationStore.path, { client, body });

function signedBy(key: KeyObject, record: RegistrationRecord): SignedRegistration {
  return { record, hubKey: fingerprintOf(createPublicKey(key)), signature: sign(null, registrationRecordMessage(record), key).toString('base64') };
}

before(async () => {
  data = await tempDir('hub-registration-routes');
  unitDir = join(data.dir, 'unit');
  unit = await startSimUnit({ dataDir: unitDir, speed: 20 });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
  [owner, dealer, staff] = await Promise.all(['owner', 'dealer', 'staff'].map((n) => makeOperator(n))) as [OperatorCreds, OperatorCreds, OperatorCreds];
  for (const [op, role] of [[owner, 'owner'], [dealer, 'dealer'], [staff, 'staff']] as const) await pairOverSerial(unit.ready.serialPath, op, role);
});

after(async () => {
  await unit?.stop();
  await data?.cleanup();
});

let myKey: string;
let record: RegistrationRecord;

test('the unit signs a request for a hub challenge with its identity key; staff may not ask (403)', async () => {
  assert.equal((await ask(staff, { ...challenge(1), hubPublicKey })).status, 403);
  const res = await ask(dealer, { ...challenge(2), hubPublicKey, claimCode: 'ABCD-EFGH-JKLM-NPQR' });
  assert.equal(res.status, 200, res.body);
  const req = registrationRequest.parse(JSON.parse(res.body));
  assert.equal(req.unitId, unit.ready.id);
  assert.equal(req.claimCode, 'ABCD-EFGH-JKLM-NPQR');
  assert.equal(req.birthCertificate, undefined, 'no certificate held yet');
  const key = createPublicKey({ key: Buffer.from(req.publicKey, 'base64'), format: 'der', type: 'spki' });
  assert.equal(fingerprintOf(key), res.serverFingerprint, 'signed with the key of its TLS identity');
  const { signature, ...fields } = req;
  assert.ok(verify(null, registrationRequestMessage(fields), key, Buffer.from(signature, 'base64')));
  myKey = req.publicKey;
  assert.deepEqual((await view()).awaiting, [fingerprintOf(hub.publicKey)]);
});

test('with a birth certificate in its identity folder, the request carries it and the signature covers it', async () => {
  const vendor = loadSigningKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const cert = signBirthCertificate(vendor, { unitId: unit.ready.id, publicKey: myKey, model: 'PW-1 (sim)' });
  await writeFile(join(unitDir, 'identity', 'birth-certificate.json'), JSON.stringify(cert));
  const req = registrationRequest.parse(JSON.parse((await ask(owner, { ...challenge(3), hubPublicKey })).body));
  assert.deepEqual(req.birthCertificate, cert);
  const { signature, ...fields } = req;
  const key = createPublicKey({ key: Buffer.from(req.publicKey, 'base64'), format: 'der', type: 'spki' });
  assert.ok(verify(null, registrationRequestMessage(fields), key, Buffer.from(signature, 'base64')));
  const { birthCertificate: _stripped, ...without } = fields;
  assert.ok(!verify(null, registrationRequestMessage(without), key, Buffer.from(signature, 'base64')), 'stripping the certificate breaks the signature');
  assert.deepEqual((await view()).birthCertificate, cert);
  // The factory step refuses a certificate for another key, and keeps the one held.
  const wrong = join(data.dir, 'wrong.json');
  await writeFile(wrong, JSON.stringify(signBirthCertificate(vendor, { unitId: unit.ready.id, publicKey: hubPublicKey, model: 'PW-1 (sim)' })));
  await assert.rejects(run(process.execPath, [DEVICE_CLI, 'identity', 'birth-cert', '--data-dir', unitDir, '--file', wrong]), (e: { code: number; stderr: string }) => e.code === 1 && /names another key/.test(e.stderr));
  assert.deepEqual(JSON.parse(await readFile(join(unitDir, 'identity', 'birth-certificate.json'), 'utf8')), cert);
  // A certificate for another key (as after an identity reset) is not sent.
  await writeFile(join(unitDir, 'identity', 'birth-certificate.json'), JSON.stringify({ ...cert, publicKey: hubPublicKey }));
  assert.equal(registrationRequest.parse(JSON.parse((await ask(owner, { ...challenge(4), hubPublicKey })).body)).birthCertificate, undefined);
  await writeFile(join(unitDir, 'identity', 'birth-certificate.json'), JSON.stringify(cert));
});

test("a record is kept only from a hub the unit signed for, signed by it, naming this unit and key; refusals keep nothing and are audited", async () => {
  record = { unitId: unit.ready.id, publicKey: myKey, fingerprint: fingerprintOf(createPublicKey({ key: Buffer.from(myKey, 'base64'), format: 'der', type: 'spki' })), model: 'PW-1 (sim)', registeredAt: '2026-12-06T10:00:00.000Z', owner: { id: 'a'.repeat(32), name: 'Academy' } };
  const stranger = generateKeyPairSync('ed25519');
  const otherUnit = generateKeyPairSync('ed25519');
  const refusals: [string, object, number, string][] = [
    ['another unit id', { answer: signedBy(hub.privateKey, { ...record, unitId: '0'.repeat(8) + '-0000-4000-8000-' + '0'.repeat(12) }), hubPublicKey }, 409, 'not-this-unit'],
    ['another key', { answer: signedBy(hub.privateKey, { ...record, publicKey: publicKeyBase64(otherUnit.publicKey) }), hubPublicKey }, 409, 'not-this-unit'],
    ['a hub never asked', { answer: signedBy(stranger.privateKey, record), hubPublicKey: publicKeyBase64(stranger.publicKey) }, 409, 'hub-not-asked'],
    ['signed by another key than it names', { answer: { ...signedBy(stranger.privateKey, record), hubKey: fingerprintOf(hub.publicKey) }, hubPublicKey }, 400, 'bad-signature'],
    ['a hub key that is not the one it names', { answer: signedBy(hub.privateKey, record), hubPublicKey: publicKeyBase64(stranger.publicKey) }, 400, 'bad-record'],
    ['a changed owner', { answer: { ...signedBy(hub.privateKey, record), record: { ...record, owner: { id: 'b'.repeat(32), name: 'Thief' } } }, hubPublicKey }, 400, 'bad-signature'],
  ];
  const file = join(unitDir, 'identity', 'hub-registrations.json');
  const before = await readFile(file, 'utf8');
  for (const [why, body, status, c] of refusals) {
    const res = await deliver(body);
    assert.equal(res.status, status, `${why}: ${res.body}`);
    assert.equal(code(res), c, why);
  }
  assert.equal(await readFile(file, 'utf8'), before, 'nothing kept');
  assert.equal((await deliver({ answer: signedBy(hub.privateKey, record), hubPublicKey }, staff)).status, 403);

  const res = await deliver({ answer: signedBy(hub.privateKey, record), hubPublicKey });
  assert.equal(res.status, 200, res.body);
  const v = await view();
  assert.deepEqual(v.records.map((r) => [r.hubKey, r.record.owner?.name]), [[fingerprintOf(hub.publicKey), 'Academy']]);
  assert.deepEqual(v.awaiting, []);
  const audit = (await readAudit(unitDir)).filter((r) => r.event === 'identity' && r.detail.includes('hub'));
  assert.equal(audit.filter((r) => r.outcome === 'refused').length, refusals.length);
  assert.ok(audit.some((r) => r.outcome === 'ok' && r.detail.includes('owner Academy')));
});

test('the record survives a restart', async () => {
  await unit.stop();
  unit = await startSimUnit({ dataDir: unitDir, speed: 20 });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
  assert.deepEqual((await view()).records.map((r) => r.record), [record]);
});

test('hostile bodies to both routes (seeded): refused with 4xx, never a crash, nothing kept', async () => {
  const rand = prng(0x5eed16);
  const good = { answer: signedBy(hub.privateKey, record), hubPublicKey };
  const goodAsk = { ...challenge(9), hubPublicKey };
  const mutants: unknown[] = [null, 0, 'x', [], { ...goodAsk, extra: 1 }, { ...good, extra: true }];
  const junk = () => pick(rand, [null, -1, Number.MAX_VALUE, '', 'A'.repeat(5000), [], {}, true, '\u0000', 'SHA256:' + 'A'.repeat(43), '../../etc/passwd']);
  const mutate = (v: unknown, depth = 0): unknown => {
    if (v === null || typeof v !== 'object' || depth > 3) return rand() < 0.5 ? junk() : v;
    const o: Record<string, unknown> = Array.isArray(v) ? { ...v } : { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    const k = pick(rand, keys);
    const r = rand();
    if (r < 0.25) delete o[k];
    else if (r < 0.5) o[k] = junk();
    else if (r < 0.6) o[`x${Math.floor(rand() * 1000)}`] = junk();
    else o[k] = mutate(o[k], depth + 1);
    return o;
  };
  for (let i = 0; i < 120; i++) mutants.push(mutate(i % 2 ? good : goodAsk));
  const file = join(unitDir, 'identity', 'hub-registrations.json');
  const kept = (await view()).records;
  for (const [i, body] of mutants.entries()) {
    for (const route of [Routes.hubRegistrationRequest, Routes.hubRegistrationStore]) {
      const res = await https(base, route.method, route.path, { client: owner, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      assert.ok(res.status < 500, `mutant ${i} to ${route.path}: ${res.status} ${res.body.slice(0, 200)}`);
      if (res.status >= 400) assert.ok(apiError.is(JSON.parse(res.body)), res.body);
    }
  }
  // Only a mutant that left the good delivery whole may have been kept (it is the same record).
  assert.deepEqual((await view()).records.map((r) => r.record), kept.map((r) => r.record));
  assert.ok((await readFile(file, 'utf8')).length > 0);
  assert.equal((await https(base, 'GET', Routes.status.path, { client: owner })).status, 200, 'the unit still answers');
});
