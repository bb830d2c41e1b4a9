import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiError, FEATURE_NOT_LICENSED, licenseStatus, revocationListApplied, routeName, routePath, ROUTE_LIST, Routes, deviceStatus, type AnyRoute, type LicenseStatus } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { simGpioCommand } from '../../../../testbed/sim-gpio.js';
import { testVendorKey, type TestVendorKey } from '../../../../testbed/vendor-test-key.js';
import { DAY_MS, issueLicence, signedRevocationList, throwAwayVendorKey } from '../../../../testbed/license-fixtures.js';
import { tempDir } from '../../helpers/paths.js';
import { https, makeOperator, pairOverSerial, readAudit, type OperatorCreds, type Res } from '../../helpers/https-client.js';
import { openLive } from '../../helpers/live-stream.js';
import { listSessions, waitForSession } from '../../helpers/sessions.js';

// A sim unit booted as a real one always is: licences enforced (--license-enforced), the test's
// vendor key pinned. Every gated route of the table is refused without its feature; recording,
// status, health, logs and the licence routes never are; an expired licence stops live timing
// and recording goes on.

let unit: SimUnit;
let data: { dir: string; cleanup: () => Promise<void> };
let base: string;
let owner: OperatorCreds;
let dealer: OperatorCreds;
let support: OperatorCreds;
let vendor: TestVendorKey;
let unitDir: string;

const code = (res: Res) => apiError.parse(JSON.parse(res.body)).error;
const licence = async (): Promise<LicenseStatus> => {
  const res = await https(base, 'GET', Routes.license.path, { client: owner });
  assert.equal(res.status, 200, res.body);
  return licenseStatus.parse(JSON.parse(res.body));
};
const install = (file: string, client = dealer) => https(base, 'PUT', Routes.licenseInstall.path, { client, body: JSON.parse(file) as object });
const GATED: AnyRoute[] = ROUTE_LIST.filter((r) => r.feature !== undefined);

before(async () => {
  data = await tempDir('license-gating');
  vendor = await testVendorKey(data.dir);
  unitDir = `${data.dir}/unit`;
  unit = await startSimUnit({ dataDir: unitDir, speed: 20, vendorKeysDir: vendor.keysDir, extraArgs: ['--license-enforced'] });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
  const ops = await Promise.all(['owner', 'dealer', 'support'].map((n) => makeOperator(n)));
  [owner, dealer, support] = [ops[0]!, ops[1]!, ops[2]!];
  await pairOverSerial(unit.ready.serialPath, owner!, 'owner');
  await pairOverSerial(unit.ready.serialPath, dealer!, 'dealer');
  await pairOverSerial(unit.ready.serialPath, support!, 'support');
});

after(async () => {
  await unit?.stop();
  await data?.cleanup();
});

test('without a licence: state none, every gated route refused (403, its own code and sentence); recording, status and health go on', async () => {
  assert.deepEqual(GATED.map(routeName).sort(), [routeName(Routes.live), routeName(Routes.supportOn)].sort());
  assert.deepEqual([(await licence()).state, (await licence()).enforced], ['none', true]);
  for (const r of GATED) {
    const res = await https(base, r.method, routePath(r, {}), { client: owner, ...(r.method === 'GET' ? {} : { body: {} }) });
    assert.equal(res.status, 403, `${routeName(r)}: ${res.body}`);
    assert.deepEqual(code(res), { code: FEATURE_NOT_LICENSED, message: `licence does not include ${r.feature}` });
  }
  // An unpaired key hears about its key first, never about the licence.
  const stranger = await makeOperator('stranger');
  assert.equal((await https(base, 'GET', Routes.live.path, { client: stranger })).status, 401);
  await waitForSession(base, owner, (m) => m.state === 'recording', 15_000, 'recording without a licence');
  const status = await https(base, 'GET', Routes.status.path, { client: owner });
  assert.equal(deviceStatus.parse(JSON.parse(status.body)).license?.state, 'none');
  assert.equal((await https(base, 'GET', Routes.health.path, { client: owner })).status, 200);
  assert.equal((await https(base, 'POST', Routes.supportOff.path, { client: owner })).status, 200);
});

test('the licence routes: support may read but not install (403), a bad file is refused (400) and changes nothing', async () => {
  const file = await issueLicence(vendor.key, unit.ready.id, Date.now(), { features: ['live-timing'], graceDays: 3 });
  assert.equal((await https(base, 'GET', Routes.license.path, { client: support })).status, 200);
  const bySupport = await install(file, support);
  assert.equal(bySupport.status, 403);
  assert.equal(code(bySupport).code, 'forbidden');
  const tampered = JSON.parse(file) as { dsseEnvelope: { payload: string } };
  const payload = JSON.parse(Buffer.from(tampered.dsseEnvelope.payload, 'base64').toString('utf8')) as { features: string[] };
  payload.features = ['live-timing', 'sectors', 'support-mode'];
  tampered.dsseEnvelope.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
  const forged = await https(base, 'PUT', Routes.licenseInstall.path, { client: dealer, body: tampered });
  assert.equal(forged.status, 400, forged.body);
  assert.equal(code(forged).code, 'bad-signature');
  const other = await install(await issueLicence(vendor.key, 'another-unit-id', Date.now()));
  assert.equal(other.status, 422);
  assert.equal(code(other).code, 'wrong-unit');
  const unknown = await install(await issueLicence(throwAwayVendorKey(), unit.ready.id, Date.now()));
  assert.equal(code(unknown).code, 'unknown-key');
  assert.equal((await licence()).state, 'none');
});

test('a licence with live-timing opens the live stream, without sector times (no sectors feature); support stays refused', async () => {
  const res = await install(await issueLicence(vendor.key, unit.ready.id, Date.now(), { features: ['live-timing'], graceDays: 3 }));
  assert.equal(res.status, 200, res.body);
  const s = licenseStatus.parse(JSON.parse(res.body));
  assert.equal(s.state, 'active');
  assert.deepEqual(s.features, ['live-timing']);
  const live = await openLive(base, owner);
  try {
    await live.until((ev) => ev.some((e) => e.event === 'lap'), 30_000, 'a lap event');
    for (const e of live.events.filter((x) => x.event === 'lap')) assert.deepEqual((JSON.parse(e.data) as { sectorsMs: number[] }).sectorsMs, []);
    for (const e of live.events.filter((x) => x.event === 'timing')) {
      const t = JSON.parse(e.data) as { sector: number; sectorElapsedMs: number | null };
      assert.equal(t.sector, 0);
      assert.equal(t.sectorElapsedMs, null);
    }
  } finally {
    live.close();
  }
  const on = await https(base, 'POST', Routes.supportOn.path, { client: owner, body: { durationS: 60 } });
  assert.equal(on.status, 403);
  assert.equal(code(on).message, 'licence does not include support-mode');
  // The same licence renewed with sectors: the same stream carries the sector times.
  const renewed = await install(await issueLicence(vendor.key, unit.ready.id, Date.now() + 1000, { features: ['live-timing', 'sectors'], graceDays: 3 }));
  assert.deepEqual(licenseStatus.parse(JSON.parse(renewed.body)).features, ['live-timing', 'sectors']);
  const withSectors = await openLive(base, owner);
  try {
    await withSectors.until((ev) => ev.some((e) => e.event === 'timing' && (JSON.parse(e.data) as { sectorElapsedMs: number | null }).sectorElapsedMs !== null), 20_000, 'a timing event with sector times');
  } finally {
    withSectors.close();
  }
});

test('a licence that expires: live refused, recording goes on; the clock set back: still expired, tampering audited and shown', async () => {
  // The sim's receiver replays an old recording: its GNSS time is in the past, so the trusted clock
  // runs on the latest time seen and this licence really runs out in a few seconds.
  const now = Date.now();
  const res = await install(await issueLicence(vendor.key, unit.ready.id, now, { licenseId: 'LIC-SHORT', features: ['live-timing'], graceDays: 0, expires: new Date(now + 8000).toISOString() }));
  assert.equal(licenseStatus.parse(JSON.parse(res.body)).state, 'active', res.body);
  const before = (await listSessions(base, owner)).find((m) => m.state === 'recording');
  assert.ok(before, 'a session is being recorded');
  let expired = await licence();
  for (const end = Date.now() + 30_000; expired.state !== 'expired' && Date.now() < end; expired = await licence()) await new Promise((r) => setTimeout(r, 500));
  assert.equal(expired.state, 'expired', expired.reason);
  assert.deepEqual(expired.features, []);
  const live = await https(base, 'GET', Routes.live.path, { client: owner });
  assert.equal(live.status, 403);
  await waitForSession(base, owner, (m) => m.id === before.id && m.state === 'recording' && m.sizeB > before.sizeB, 10_000, 'still growing');
  assert.equal(await simGpioCommand(unitDir, `clock-offset ${-2 * DAY_MS}`), 'ok');
  const back = await licence();
  assert.equal(back.state, 'expired', 'setting the clock back gains nothing');
  assert.equal(back.clock.tampered, true);
  assert.equal(back.clock.source, 'latest-seen');
  const status = deviceStatus.parse(JSON.parse((await https(base, 'GET', Routes.status.path, { client: owner })).body));
  assert.equal(status.license?.clock.tampered, true);
  const audit = (await readAudit(unitDir)).filter((r) => r.event === 'license');
  assert.ok(audit.some((r) => /clock tampering/.test(r.detail)), JSON.stringify(audit.map((r) => r.detail)));
  assert.ok(audit.some((r) => /licence expired/.test(r.detail)));
  assert.ok(audit.some((r) => r.outcome === 'refused' && /bad-signature/.test(r.detail)));
  assert.equal(await simGpioCommand(unitDir, 'clock-offset 0'), 'ok');
});

test('revocation lists: applied, an older or equal one refused (409), one from another vendor key refused', async () => {
  const put = (file: string) => https(base, 'PUT', Routes.licenseRevocations.path, { client: dealer, body: JSON.parse(file) as object });
  const one = await signedRevocationList(vendor.key, 1, ['LIC-ELSE']);
  const applied = await put(one);
  assert.equal(applied.status, 200, applied.body);
  assert.deepEqual(revocationListApplied.parse(JSON.parse(applied.body)), { number: 1, revokedCount: 1, state: 'expired' });
  const replay = await put(one);
  assert.equal(replay.status, 409);
  assert.equal(code(replay).code, 'older-list');
  const foreign = await put(await signedRevocationList(throwAwayVendorKey(), 2, []));
  assert.equal(foreign.status, 422);
  assert.equal(code(foreign).code, 'unknown-key');
  assert.equal((await licence()).revocationListNumber, 1);
});
