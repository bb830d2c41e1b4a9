import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, randomBytes, verify, X509Certificate } from 'node:crypto';
import { apiError, auditRecord, challengeMessage, challengeResponse, deviceInfo, deviceStatus, operatorList, pairResult, pairingWindow, type AuditRecord } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { pressSimButton, simGpioCommand } from '../../../../testbed/sim-gpio.js';
import { tempDir } from '../../helpers/paths.js';
import { https, makeOperator, pairOverSerial, readAudit, type OperatorCreds, type Res } from '../../helpers/https-client.js';
import { SerialRpcClient } from '../../helpers/serial-rpc-client.js';
import { fingerprintOf } from '../../../src/index.js';

let unit: SimUnit;
let data: { dir: string; cleanup: () => Promise<void> };
let base: string;
let owner: OperatorCreds;
let unitFingerprint: string;

const errorCode = (res: Res) => apiError.parse(JSON.parse(res.body)).error.code;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  data = await tempDir('auth');
  unit = await startSimUnit({ dataDir: data.dir, speed: 5, extraArgs: ['--pairing-window', '2'] });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
  owner = await makeOperator('owner');
});

after(async () => {
  await unit?.stop();
  await data?.cleanup();
});

test('discovery is public: /v1/info carries the fingerprint of the key in the TLS certificate (CN = unit id)', async () => {
  const res = await https(base, 'GET', '/v1/info');
  assert.equal(res.status, 200);
  const info = deviceInfo.parse(JSON.parse(res.body));
  assert.match(String(info.fingerprint), /^SHA256:/);
  assert.equal(res.serverFingerprint, info.fingerprint, 'TLS certificate key = identity key');
  unitFingerprint = info.fingerprint!;
  assert.deepEqual(pairingWindow.parse(JSON.parse((await https(base, 'GET', '/v1/pairing')).body)), { open: false, closesInS: null });
});

test('unpaired requests are refused: no certificate and an unpaired key -> 401 unauthenticated', async () => {
  for (const client of [undefined, await makeOperator('stranger')]) {
    for (const [method, path] of [['GET', '/v1/status'], ['GET', '/v1/operators'], ['GET', '/v1/audit'], ['POST', '/v1/identity/challenge'], ['GET', '/v1/live']] as const) {
      const res = await https(base, method, path, { client, body: method === 'POST' ? { nonce: randomBytes(32).toString('base64') } : undefined });
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.equal(errorCode(res), 'unauthenticated');
      assert.match(apiError.parse(JSON.parse(res.body)).error.message, /pair/);
    }
  }
});

test('every route not declared public is checked: HEAD routes, other methods and paths that match no route', async () => {
  for (const client of [undefined, await makeOperator('stranger')]) {
    // A stranger learns neither which paths exist nor which methods they take.
    for (const [method, path] of [['HEAD', '/v1/status'], ['POST', '/v1/status'], ['GET', '/v2/nothing'], ['DELETE', '/v1/nothing']] as const) {
      const res = await https(base, method, path, { client });
      assert.equal(res.status, 401, `${method} ${path}`);
      if (method !== 'HEAD') assert.equal(errorCode(res), 'unauthenticated', `${method} ${path}`);
    }
    for (const [method, path, status] of [['GET', '/v1/info', 200], ['HEAD', '/v1/info', 200], ['GET', '/v1/pairing', 200], ['POST', '/v1/info', 405]] as const) {
      assert.equal((await https(base, method, path, { client })).status, status, `public ${method} ${path}`);
    }
  }
});

test('network pairing needs a client certificate, and is refused outside the window (403 pairing-closed)', async () => {
  const noCert = await https(base, 'POST', '/v1/pairing', { body: { operatorName: 'x', role: 'owner' } });
  assert.equal(noCert.status, 401);
  const closed = await https(base, 'POST', '/v1/pairing', { client: owner, body: { operatorName: 'Owner laptop', role: 'owner' } });
  assert.equal(closed.status, 403);
  assert.equal(errorCode(closed), 'pairing-closed');
  assert.match(apiError.parse(JSON.parse(closed.body)).error.message, /press the pair button/);
});

test('USB pairing over the socat pty: the first operator must be an owner; returns the unit key and certificate', async () => {
  const support = await makeOperator('early support');
  const client = await SerialRpcClient.open(unit.ready.serialPath);
  try {
    const early = await client.call(1, 'pair', { operatorName: 'Support', role: 'support', operatorCertificate: support.certPem });
    assert.ok('error' in early);
    assert.equal(early.error.code, -32001);
    assert.deepEqual(early.error.data, { code: 'owner-required' });
    const r = await client.call(2, 'pair', { operatorName: 'Owner laptop', role: 'owner', operatorCertificate: owner.certPem });
    assert.ok('result' in r, JSON.stringify(r));
    const result = pairResult.parse(r.result);
    assert.equal(result.unitId, unit.ready.id);
    assert.equal(result.unitFingerprint, unitFingerprint);
    assert.equal(result.operatorFingerprint, owner.fingerprint);
    assert.equal(fingerprintOf(new X509Certificate(result.unitCertificate).publicKey), unitFingerprint);
    const again = await client.call(3, 'pair', { operatorName: 'Owner laptop', role: 'owner', operatorCertificate: owner.certPem });
    assert.ok('result' in again, 'pairing the same key with the same role again answers again (lost replies can be retried)');
  } finally {
    await client.close();
  }
  const status = await https(base, 'GET', '/v1/status', { client: owner });
  assert.equal(status.status, 200, status.body);
  const s = deviceStatus.parse(JSON.parse(status.body));
  assert.equal(s.identity.state, 'ok');
  assert.equal(s.identity.fingerprint, unitFingerprint);
  assert.equal(s.identity.hardwareSource, 'sim');
});

test('challenge: the unit signs challengeMessage(unitId, nonce) with the pinned key, over HTTPS and serial', async () => {
  const pub = createPublicKey(new X509Certificate((await pairOverSerial(unit.ready.serialPath, owner, 'owner')).unitCertificate).publicKey.export({ type: 'spki', format: 'pem' }));
  const nonce = randomBytes(32).toString('base64');
  const res = await https(base, 'POST', '/v1/identity/challenge', { client: owner, body: { nonce } });
  assert.equal(res.status, 200, res.body);
  const sig = Buffer.from(challengeResponse.parse(JSON.parse(res.body)).signature, 'base64');
  assert.ok(verify(null, challengeMessage(unit.ready.id, nonce), pub, sig));
  assert.ok(!verify(null, challengeMessage(unit.ready.id, randomBytes(32).toString('base64')), pub, sig), 'bound to the nonce');
  const client = await SerialRpcClient.open(unit.ready.serialPath);
  try {
    const r = await client.call(1, 'challenge', { nonce });
    assert.ok('result' in r);
    assert.ok(verify(null, challengeMessage(unit.ready.id, nonce), pub, Buffer.from(challengeResponse.parse(r.result).signature, 'base64')));
    const bad = await client.call(2, 'challenge', { nonce: 'short' });
    assert.ok('error' in bad && bad.error.code === -32602);
  } finally {
    await client.close();
  }
  const badBody = await https(base, 'POST', '/v1/identity/challenge', { client: owner, body: { nonce: 'not base64!' } });
  assert.equal(badBody.status, 400);
});

let support: OperatorCreds;
let staff: OperatorCreds;

test('network pairing inside the window (after the button) is accepted; one press, one pairing', async () => {
  support = await makeOperator('support');
  staff = await makeOperator('staff');
  await pressSimButton(data.dir, 'pair');
  assert.equal(await simGpioCommand(data.dir, 'leds'), '{"pair":true}');
  const w = pairingWindow.parse(JSON.parse((await https(base, 'GET', '/v1/pairing')).body));
  assert.equal(w.open, true);
  assert.ok(w.closesInS !== null && w.closesInS > 0 && w.closesInS <= 2);
  const res = await https(base, 'POST', '/v1/pairing', { client: support, body: { operatorName: 'Dealer support', role: 'support' } });
  assert.equal(res.status, 200, res.body);
  const pr = pairResult.parse(JSON.parse(res.body));
  assert.equal(pr.operatorFingerprint, support.fingerprint);
  assert.equal(pr.unitFingerprint, res.serverFingerprint);
  const second = await https(base, 'POST', '/v1/pairing', { client: staff, body: { operatorName: 'Team', role: 'staff' } });
  assert.equal(second.status, 403, 'the window closed after its pairing');
  assert.equal(errorCode(second), 'pairing-closed');
});

test('the window closes by itself after --pairing-window seconds', async () => {
  await pressSimButton(data.dir, 'pair');
  assert.equal(pairingWindow.parse(JSON.parse((await https(base, 'GET', '/v1/pairing')).body)).open, true);
  await sleep(2300);
  assert.deepEqual(pairingWindow.parse(JSON.parse((await https(base, 'GET', '/v1/pairing')).body)), { open: false, closesInS: null });
  assert.equal(await simGpioCommand(data.dir, 'leds'), '{"pair":false}');
  const late = await https(base, 'POST', '/v1/pairing', { client: staff, body: { operatorName: 'Team', role: 'staff' } });
  assert.equal(errorCode(late), 'pairing-closed');
  assert.equal(await simGpioCommand(data.dir, 'press nothing'), 'error unknown command (use "press pair|recovery" or "leds")');
});

test('support can read but not control or administer; the owner lists operators', async () => {
  assert.equal((await https(base, 'GET', '/v1/status', { client: support })).status, 200);
  assert.equal((await https(base, 'POST', '/v1/identity/challenge', { client: support, body: { nonce: randomBytes(32).toString('base64') } })).status, 200);
  const list = await https(base, 'GET', '/v1/operators', { client: support });
  assert.equal(list.status, 403);
  assert.equal(errorCode(list), 'forbidden');
  const audit = await https(base, 'GET', '/v1/audit', { client: support });
  assert.equal(audit.status, 403, 'the audit log is the owner\'s, like the operator list');
  assert.equal(errorCode(audit), 'forbidden');
  const revoke = await https(base, 'DELETE', `/v1/operators/${encodeURIComponent(owner.fingerprint)}`, { client: support });
  assert.equal(revoke.status, 403);
  assert.equal(errorCode(revoke), 'forbidden');
  const ownerList = await https(base, 'GET', '/v1/operators', { client: owner });
  assert.equal(ownerList.status, 200);
  const ops = operatorList.parse(JSON.parse(ownerList.body)).operators;
  assert.deepEqual(ops.map((o) => [o.role, o.via, o.revokedAt]).sort(), [['owner', 'usb', null], ['support', 'network', null]]);
});

test('the owner revokes: the revoked key gets 403 revoked, and its open live stream is cut', async () => {
  const { collectSse } = await import('../../helpers/sse-client.js');
  {
    const live = collectSse(`${base}/v1/live`, 'fix', 1_000_000, 10_000, support).catch((e: Error) => e.message);
    await sleep(300);
    const last = await https(base, 'DELETE', `/v1/operators/${encodeURIComponent(owner.fingerprint)}`, { client: owner });
    assert.equal(last.status, 403, 'no owner, the only one included, is revoked over the network');
    assert.equal(errorCode(last), 'usb-required');
    const unknown = await https(base, 'DELETE', `/v1/operators/${encodeURIComponent(staff.fingerprint)}`, { client: owner });
    assert.equal(unknown.status, 404);
    const bad = await https(base, 'DELETE', '/v1/operators/nonsense', { client: owner });
    assert.equal(bad.status, 400);
    const ok = await https(base, 'DELETE', `/v1/operators/${encodeURIComponent(support.fingerprint)}`, { client: owner });
    assert.equal(ok.status, 200, ok.body);
    assert.notEqual(JSON.parse(ok.body).revokedAt, null);
    assert.match(String(await live), /stream ended|socket hang up|ECONNRESET/, 'the revoked operator\'s stream ended at once');
    const fresh = await https(base, 'GET', '/v1/status', { client: support });
    assert.equal(errorCode(fresh), 'revoked');
    const repair = await pairOverSerial(unit.ready.serialPath, support, 'support').catch((e: Error) => e.message);
    assert.match(String(repair), /revoked/, 'a revoked key stays revoked');
  }
});

test('wrong key: the paired certificate presented with another private key never gets through', async () => {
  const other = await makeOperator('other');
  const res = await https(base, 'GET', '/v1/status', { client: { ...owner, keyPem: other.keyPem } }).then(
    (r) => r.status,
    (e: Error) => e.message,
  );
  assert.notEqual(res, 200);
});

test('the audit log has a record for each case', async () => {
  await sleep(200);
  const recs = await readAudit(data.dir);
  const has = (pred: (r: (typeof recs)[number]) => boolean, what: string) => assert.ok(recs.some(pred), `${what}: ${JSON.stringify(recs, null, 1)}`);
  has((r) => r.event === 'pair' && r.outcome === 'ok' && r.via === 'usb' && r.role === 'owner' && r.operatorFingerprint === owner.fingerprint, 'usb pairing');
  has((r) => r.event === 'pair' && r.outcome === 'ok' && r.via === 'network' && r.operatorFingerprint === support.fingerprint, 'network pairing');
  has((r) => r.event === 'pair' && r.outcome === 'refused' && /owner-required/.test(r.detail), 'owner required');
  has((r) => r.event === 'pair' && r.outcome === 'refused' && /pairing-closed/.test(r.detail), 'pairing closed');
  has((r) => r.event === 'pair' && r.outcome === 'refused' && /revoked/.test(r.detail), 're-pair of a revoked key');
  has((r) => r.event === 'pairing-window' && /opened for 2 s/.test(r.detail), 'window opened');
  has((r) => r.event === 'pairing-window' && /expired after 2 s/.test(r.detail), 'window expired');
  has((r) => r.event === 'pairing-window' && /used by a pairing/.test(r.detail), 'window used');
  has((r) => r.event === 'refuse' && /^unauthenticated/.test(r.detail), 'unauthenticated');
  has((r) => r.event === 'refuse' && /^forbidden/.test(r.detail) && r.role === 'support', 'forbidden');
  has((r) => r.event === 'refuse' && /^revoked/.test(r.detail) && r.operatorFingerprint === support.fingerprint, 'revoked');
  has((r) => r.event === 'revoke' && r.operatorFingerprint === support.fingerprint, 'revocation');
  assert.deepEqual(recs.map((r) => r.seq), recs.map((_, i) => i + 1), 'seq increases by one');
  const text = JSON.stringify(recs);
  assert.ok(!text.includes('PRIVATE KEY'), 'no key material in the audit log');
  assert.equal(unit.process.exitCode, null);
});

test('GET /v1/audit: the owner reads the records of the file as NDJSON, paged by after and limit; bad queries are refused', async () => {
  const served = async (query: string): Promise<AuditRecord[]> => {
    const res = await https(base, 'GET', `/v1/audit${query}`, { client: owner });
    assert.equal(res.status, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
    return res.body.split('\n').filter(Boolean).map((l) => auditRecord.parse(JSON.parse(l)));
  };
  const all = await served('');
  const file = await readAudit(data.dir);
  assert.ok(all.length >= 12, `${all.length} records`);
  assert.deepEqual(all, file.slice(0, all.length), 'the same records as the unit\'s audit file, in order');
  assert.deepEqual(await served('?after=3&limit=4'), all.slice(3, 7));
  assert.deepEqual(await served(`?after=${all.at(-1)!.seq}`), []);
  // Paging to the end gives every record once.
  const paged: AuditRecord[] = [];
  for (let after = 0; ; ) {
    const page = await served(`?after=${after}&limit=5`);
    paged.push(...page);
    if (page.length < 5) break;
    after = page.at(-1)!.seq;
  }
  assert.deepEqual(paged.slice(0, all.length), all);
  for (const q of ['?after=-1', '?after=x', '?limit=0', '?limit=10001', '?limit=1.5', '?boot=x', `?after=${'9'.repeat(400)}`, '?after=1e999', '?limit=1e999', `?after=${2 ** 53}`]) {
    const res = await https(base, 'GET', `/v1/audit${q}`, { client: owner });
    assert.equal(res.status, 400, `${q}: ${res.body}`);
    assert.equal(errorCode(res), 'bad-request');
  }
  assert.deepEqual((await readAudit(data.dir)).slice(0, file.length), file, 'refused queries changed nothing');
  assert.equal(unit.process.exitCode, null);
});
