import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { HubRoutes, registrationRecordMessage, type RegistrationRecord } from '@pitwall/protocol';
import { HubRegistrar } from '@pitwall/app';
import { loadSigningKey, publicKeyBase64, signBirthCertificate } from '@pitwall/protocol/node';
import { pairOverUsb } from '../../../../testbed/companion.js';
import { DEVICE_CLI, startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { testVendorKey, type TestVendorKey } from '../../../../testbed/vendor-test-key.js';
import { hubCli, startHubProcess, type HubProcess } from '../../../../hub/test/helpers/hub-process.js';
import { runCli } from '../../helpers/run-cli.js';

// Registration end to end with real processes: two sim units (pitwall-device sim), a real
// `pitwall-hub serve` trusting a test vendor key, and the companion CLI. The units sign their own
// requests; the hub refuses keys no vendor vouched for; store and forward carries a request
// signed offline to the hub later and the record back to the unit; a hostile hub's record is
// refused by the companion; a unit whose key changed is refused and reported.

const run = promisify(execFile);
const MODEL = 'PW-1 (sim)';
const tmp = mkdtempSync(join(tmpdir(), 'pitwall-cli-hub-register-'));
const companionDir = join(tmp, 'dealer-laptop');
const hubDir = join(tmp, 'hub');
const units: SimUnit[] = [];
const unitDirs = [join(tmp, 'car-1'), join(tmp, 'car-2')];
let vendor: TestVendorKey;
let vendorKeyFile: string;
let hub: HubProcess;
let hubPort: number;
let url: string;
let claimCode: string;
let academyTokenFile: string;
const target = { kind: 'sqlite' as const, file: join(hubDir, 'hub.sqlite') };

const address = (i: number) => `127.0.0.1:${units[i]!.ready.apiPort}`;
const device = async (args: string[]) => JSON.parse((await run(process.execPath, [DEVICE_CLI, ...args])).stdout) as { unitId: string; publicKey: string; fingerprint: string };
const register = (i: number, extra: string[] = [], dataDir = companionDir) =>
  runCli(['hub', 'register', '--hub', url, '--unit', address(i), '--address', address(i), '--no-mdns', '--data-dir', dataDir, ...extra]);
const startHub = async () => {
  hub = await startHubProcess(target, hubDir, join(hubDir, 'hub-key.pem'), ['--vendor-keys', vendor.keysDir, '--port', String(hubPort)]);
  url = hub.url;
};
const lastAudit = async (kind: string) => hubCli(['audit', '--kind', kind, '--limit', '1'], target, hubDir);
const unitRecords = (i: number) => {
  try {
    return (JSON.parse(readFileSync(join(unitDirs[i]!, 'identity', 'hub-registrations.json'), 'utf8')) as { records: { record: RegistrationRecord }[] }).records;
  } catch {
    return [];
  }
};

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** The vendor's CLI certifies what `pitwall-device identity show` says; the factory step installs it. */
async function certify(i: number): Promise<void> {
  const me = await device(['identity', 'show', '--data-dir', unitDirs[i]!]);
  const out = join(tmp, `car-${i + 1}.birth.json`);
  const issued = await runCli(['birth-cert', 'issue', '--key', vendorKeyFile, '--unit', me.unitId, '--public-key', me.publicKey, '--model', MODEL, '--out', out]);
  assert.equal(issued.code, 0, issued.err);
  const checked = await runCli(['birth-cert', 'verify', out, '--public', join(vendor.keysDir, `${vendor.key.keyId.slice(0, 16)}.pem`)]);
  assert.match(checked.out, /^valid: /, checked.err);
  await device(['identity', 'birth-cert', '--data-dir', unitDirs[i]!, '--file', out]);
}

before(async () => {
  vendor = await testVendorKey(tmp);
  vendorKeyFile = join(tmp, 'vendor.key');
  writeFileSync(vendorKeyFile, vendor.key.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  units.push(...(await Promise.all(unitDirs.map((dataDir, i) => startSimUnit({ dataDir, name: `Car ${i + 1}` })))));
  for (const u of units) await pairOverUsb(u, companionDir);
  hubPort = await freePort();
  await startHub();
  const academy = await hubCli(['org', 'add', '--kind', 'academy', '--name', 'Ridge Academy'], target, hubDir);
  const dealer = await hubCli(['org', 'add', '--kind', 'dealer', '--name', 'Ridge Dealer'], target, hubDir);
  await hubCli(['org', 'link-dealer', '--dealer', dealer.organisationId!, '--academy', academy.organisationId!], target, hubDir);
  const dealerToken = (await hubCli(['member', 'add', '--org', dealer.organisationId!, '--name', 'Dealer'], target, hubDir)).token!;
  academyTokenFile = join(tmp, 'academy.token');
  writeFileSync(academyTokenFile, `${(await hubCli(['member', 'add', '--org', academy.organisationId!, '--name', 'Coach'], target, hubDir)).token}\n`, { mode: 0o600 });
  const issued = await fetch(new URL(HubRoutes.claimCode.path, url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${dealerToken}` },
    body: JSON.stringify({ academyId: academy.organisationId }),
  });
  claimCode = ((await issued.json()) as { code: string }).code;
});

after(async () => {
  await hub?.stop();
  for (const u of units) await u.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('a hub with vendor keys refuses a unit without a birth certificate, with a foreign one and with a forged one (audited)', async () => {
  const none = await register(0);
  assert.equal(none.code, 1, none.out + none.err);
  assert.match(none.err, /key-unvouched/);
  assert.equal((await lastAudit('key-unvouched')).unitId, units[0]!.ready.id);

  const me = await device(['identity', 'show', '--data-dir', unitDirs[0]!]);
  const stranger = loadSigningKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const genuine = signBirthCertificate(vendor.key, { unitId: me.unitId, publicKey: me.publicKey, model: MODEL });
  const cases: [string, object, RegExp][] = [
    ['foreign', signBirthCertificate(stranger, { unitId: me.unitId, publicKey: me.publicKey, model: MODEL }), /not a vendor key this side trusts/],
    ['forged', { ...genuine, model: 'PW-9 (forged)' }, /signature does not verify/],
  ];
  for (const [why, cert, reason] of cases) {
    const file = join(tmp, `${why}.json`);
    writeFileSync(file, JSON.stringify(cert));
    await device(['identity', 'birth-cert', '--data-dir', unitDirs[0]!, '--file', file]);
    const r = await register(0);
    assert.equal(r.code, 1, `${why}: ${r.out}${r.err}`);
    assert.match(r.err, /key-unvouched/, why);
    assert.match(String(((await lastAudit('key-unvouched')).detail as unknown as { why: string }).why), reason, why);
  }
  assert.deepEqual(unitRecords(0), []);
});

test('live: a certified unit signs, the hub registers it into the academy of the claim code, the unit and the companion keep the record', async () => {
  await certify(0);
  const r = await register(0, ['--claim-code', claimCode]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /registered with hub .*owner Ridge Academy/);
  assert.match(r.out, /the unit holds the record of hub SHA256:.*, owner Ridge Academy/);
  const [kept] = unitRecords(0);
  assert.equal(kept?.record.unitId, units[0]!.ready.id);
  assert.equal(kept?.record.owner?.name, 'Ridge Academy');
  const audit = await lastAudit('registered');
  assert.equal(audit.unitId, units[0]!.ready.id);
  assert.equal((audit.detail as unknown as { vendorKeyId: string }).vendorKeyId, vendor.key.keyId);
  // Again: already registered with this key (200), nothing to deliver twice.
  assert.equal((await register(0)).code, 0);
});

test('a claim code is good once: the second unit is refused', async () => {
  await certify(1);
  const r = await register(1, ['--claim-code', claimCode]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /claim-code-used/);
  assert.deepEqual(unitRecords(1), []);
});

test('store and forward: challenges fetched online, the unit signs while the hub is away, forwarded later, the record reaches the unit at the next contact; the replay is refused', async () => {
  const fetched = await runCli(['hub', 'challenges', '--hub', url, '--count', '2', '--token-file', academyTokenFile, '--data-dir', companionDir]);
  assert.equal(fetched.code, 0, fetched.err);
  assert.match(fetched.out, /2 forward challenge\(s\) held/);
  await hub.stop();

  const signed = await register(1, ['--forward']);
  assert.equal(signed.code, 0, signed.out + signed.err);
  assert.match(signed.out, /waits in this companion's outbox/);
  const [request] = await new HubRegistrar(companionDir, { callRoute: () => Promise.reject(new Error('no unit here')) }).outboxFor(url).pending();
  assert.equal(request?.unitId, units[1]!.ready.id);
  assert.equal(request?.birthCertificate?.vendorKeyId, vendor.key.keyId);
  writeFileSync(join(tmp, 'replay.json'), JSON.stringify(request));
  const offline = await runCli(['hub', 'forward', '--hub', url, '--data-dir', companionDir]);
  assert.match(offline.out, /kept/);

  await startHub();
  const sent = await runCli(['hub', 'forward', '--hub', url, '--data-dir', companionDir]);
  assert.equal(sent.code, 0, sent.out + sent.err);
  assert.match(sent.out, new RegExp(`${units[1]!.ready.id}: registered`));
  assert.deepEqual(unitRecords(1), [], 'not at the unit yet');

  const brought = await register(1);
  assert.equal(brought.code, 0, brought.out + brought.err);
  assert.match(brought.out, /brought the hub's record to the unit/);
  assert.equal(unitRecords(1)[0]?.record.unitId, units[1]!.ready.id);
  assert.equal(unitRecords(1)[0]?.record.owner, null);

  const replay = await fetch(new URL(HubRoutes.register.path, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: readFileSync(join(tmp, 'replay.json')) });
  assert.equal(replay.status, 409);
  assert.equal(((await replay.json()) as { error: { code: string } }).error.code, 'challenge-used');
});

test("a hostile hub answering a record for another unit is refused by the companion; the unit keeps nothing of it", async () => {
  const evil = generateKeyPairSync('ed25519');
  const evilPublic = publicKeyBase64(evil.publicKey);
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += String(d)));
    req.on('end', () => {
      const send = (status: number, doc: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
      if (req.url === HubRoutes.key.path) return send(200, { publicKey: evilPublic, fingerprint: fingerprint(evilPublic) });
      if (req.url === HubRoutes.challenge.path) return send(201, { challengeId: 'e'.repeat(32), nonce: Buffer.alloc(32, 7).toString('base64'), purpose: 'live', expiresAt: new Date(Date.now() + 60_000).toISOString() });
      const asked = JSON.parse(body) as { publicKey: string; model: string };
      // Signed by the hub's own key, but naming the other car.
      const record: RegistrationRecord = { unitId: units[1]!.ready.id, publicKey: asked.publicKey, fingerprint: fingerprint(asked.publicKey), model: asked.model, registeredAt: new Date().toISOString(), owner: { id: 'f'.repeat(32), name: 'Thieves' } };
      send(201, { record, hubKey: fingerprint(evilPublic), signature: sign(null, registrationRecordMessage(record), evil.privateKey).toString('base64') });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const evilUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const before = unitRecords(0);
    const r = await runCli(['hub', 'register', '--hub', evilUrl, '--unit', address(0), '--address', address(0), '--no-mdns', '--data-dir', companionDir]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.err, /the hub's answer was refused: the registration record is for unit/);
    assert.deepEqual(unitRecords(0), before, 'the unit kept nothing of it');
  } finally {
    server.close();
  }
});

test('a unit whose key changed (identity reset) is refused by the hub and reported', async () => {
  const old = await device(['identity', 'show', '--data-dir', unitDirs[0]!]);
  await units[0]!.stop();
  await run(process.execPath, [DEVICE_CLI, 'identity', 'reset', '--data-dir', unitDirs[0]!, '--confirm']);
  units[0] = await startSimUnit({ dataDir: unitDirs[0]!, name: 'Car 1' });
  const fresh = await device(['identity', 'show', '--data-dir', unitDirs[0]!]);
  assert.equal(fresh.unitId, old.unitId);
  assert.notEqual(fresh.fingerprint, old.fingerprint);
  // The dealer's laptop pinned the old key; another laptop pairs the unit as it is now.
  const other = join(tmp, 'other-laptop');
  await pairOverUsb(units[0]!, other);
  const r = await register(0, [], other);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /key-mismatch/);
  const audit = await lastAudit('key-mismatch');
  assert.equal(audit.unitId, old.unitId);
  assert.deepEqual([(audit.detail as unknown as Record<string, string>).registered, (audit.detail as unknown as Record<string, string>).presented], [old.fingerprint, fresh.fingerprint]);
});

function fingerprint(spkiBase64: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(spkiBase64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}
