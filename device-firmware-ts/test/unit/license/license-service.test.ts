import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LicenseError, type LicenseErrorCode } from '@pitwall/protocol';
import { keySetFromList, pinnedKeySet, type VendorKeySet } from '@pitwall/protocol/node';
import type { AuditEntry, AuditLog } from '../../../src/identity/audit-log.js';
import { silentLogger } from '../../../src/ops/logger.js';
import { LicenseService } from '../../../src/license/license-service.js';
import { DAY_MS, issueLicence, signedRevocationList, throwAwayVendorKey } from '../../../../testbed/license-fixtures.js';

const UNIT = { unitId: '0f0e0d0c-0b0a-4908-8706-050403020100', model: 'PW-1-sim' };
const OWNER = { fingerprint: 'SHA256:owner', role: 'owner' as const };
const vendor = throwAwayVendorKey();
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** An audit log that keeps its records in memory (and can be made to fail). */
function memoryAudit(): AuditLog & { entries: AuditEntry[]; failing: boolean } {
  const a = {
    entries: [] as AuditEntry[],
    failing: false,
    async write(e: AuditEntry) {
      if (a.failing) return false;
      a.entries.push(e);
      return true;
    },
    refuse() {},
    async *read() {},
    async close() {},
  };
  return a;
}

interface Rig {
  dataDir: string;
  audit: ReturnType<typeof memoryAudit>;
  time: { system: number; mono: number };
  keys: { set: VendorKeySet };
  open(): Promise<LicenseService>;
}

async function rig(now = Date.now(), enforced = true): Promise<Rig> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pitwall-license-'));
  dirs.push(dataDir);
  const r: Rig = {
    dataDir,
    audit: memoryAudit(),
    time: { system: now, mono: 0 },
    keys: { set: pinnedKeySet([vendor.publicKeyPem]) },
    async open() {
      const l = await LicenseService.open({
        dataDir,
        unit: () => UNIT,
        keys: async () => ({ current: () => r.keys.set }),
        audit: r.audit,
        log: silentLogger,
        enforced,
        clockSources: { systemMs: () => r.time.system, monoMs: () => r.time.mono },
      });
      await l.ready();
      return l;
    },
  };
  return r;
}

async function refused(p: Promise<unknown>, code: LicenseErrorCode): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof LicenseError && err.code === code);
}

const pass = (r: Rig, ms: number) => {
  r.time.system += ms;
  r.time.mono += ms;
};

test('no licence: state none; a valid one installs, is audited, and is verified again at the next boot', async () => {
  const r = await rig();
  const l = await r.open();
  assert.equal(l.current().state, 'none');
  assert.equal(l.allows('live-timing'), false);
  const s = await l.install(await issueLicence(vendor, UNIT.unitId, r.time.system, { features: ['live-timing'] }), OWNER);
  assert.equal(s.state, 'active');
  assert.equal(l.allows('live-timing'), true);
  assert.equal(l.allows('sectors'), false);
  assert.ok(r.audit.entries.some((e) => e.event === 'license' && e.outcome === 'ok' && e.operatorFingerprint === OWNER.fingerprint && /installed/.test(e.detail)));
  l.stop();
  const again = await r.open();
  assert.equal(again.current().state, 'active');
  assert.deepEqual(again.current().features, ['live-timing']);
  again.stop();
});

test('the status says whether the unit enforces licences; one that does not still judges and reports the state', async () => {
  const enforcing = await (await rig()).open();
  assert.equal(enforcing.current().enforced, true);
  assert.equal((await enforcing.refresh()).enforced, true);
  enforcing.stop();
  const r = await rig(Date.now(), false);
  const sim = await r.open();
  assert.deepEqual([sim.current().state, sim.current().enforced, sim.allows('live-timing')], ['none', false, true]);
  const s = await sim.install(await issueLicence(vendor, UNIT.unitId, r.time.system, { features: ['sectors'] }), OWNER);
  assert.deepEqual([s.state, s.enforced], ['active', false]);
  sim.stop();
});

test('a file for another unit, from an unknown key, or forged is refused and the held licence is unchanged', async () => {
  const r = await rig();
  const l = await r.open();
  const good = await issueLicence(vendor, UNIT.unitId, r.time.system);
  await l.install(good, OWNER);
  const held = await readFile(join(r.dataDir, 'license', 'license.json'), 'utf8');
  await refused(l.install(await issueLicence(vendor, 'another-unit', r.time.system, { licenseId: 'LIC-OTHER' }), OWNER), 'wrong-unit');
  await refused(l.install(await issueLicence(vendor, UNIT.unitId, r.time.system, { scope: { model: 'PW-1' } }), OWNER), 'wrong-unit');
  await refused(l.install(await issueLicence(throwAwayVendorKey(), UNIT.unitId, r.time.system), OWNER), 'unknown-key');
  await refused(l.install(good.replace(/"sig":"[A-Za-z0-9+/]{8}/, '"sig":"AAAAAAAA'), OWNER), 'bad-signature');
  assert.equal(await readFile(join(r.dataDir, 'license', 'license.json'), 'utf8'), held);
  assert.equal(l.current().state, 'active');
  assert.equal(l.current().licenseId, 'LIC-TEST-1');
  assert.equal(r.audit.entries.filter((e) => e.outcome === 'refused').length, 4);
  l.stop();
});

test('a model-scoped licence (dealer stock) counts on a unit of that model', async () => {
  const r = await rig();
  const l = await r.open();
  assert.equal((await l.install(await issueLicence(vendor, UNIT.unitId, r.time.system, { scope: { model: 'PW-1-sim', fleet: 'academy' } }), OWNER)).state, 'active');
  l.stop();
});

test('a vendor key revoked by a key list makes the held licence invalid at the next check', async () => {
  const r = await rig();
  const l = await r.open();
  await l.install(await issueLicence(vendor, UNIT.unitId, r.time.system), OWNER);
  const next = throwAwayVendorKey();
  r.keys.set = keySetFromList({ format: 1, sequence: 1, keys: [{ keyId: next.keyId, publicKey: next.publicKeyPem }], revokedKeyIds: [vendor.keyId] });
  const s = await l.check();
  assert.equal(s.state, 'invalid');
  assert.match(s.reason, /revoked key/);
  assert.equal(l.allows('live-timing'), false);
  l.stop();
});

test('an older file of the same licence is refused (409); a renewed one replaces it', async () => {
  const r = await rig();
  const l = await r.open();
  const older = await issueLicence(vendor, UNIT.unitId, r.time.system - DAY_MS);
  await l.install(await issueLicence(vendor, UNIT.unitId, r.time.system), OWNER);
  await refused(l.install(older, OWNER), 'older-license');
  pass(r, DAY_MS);
  const renewed = await l.install(await issueLicence(vendor, UNIT.unitId, r.time.system), OWNER);
  assert.equal(renewed.refreshBy, new Date(r.time.system + 30 * DAY_MS).toISOString());
  l.stop();
});

test('TTL lapse without a newer file: grace, then expired; installing a renewed file makes it active again', async () => {
  const r = await rig();
  const l = await r.open();
  await l.install(await issueLicence(vendor, UNIT.unitId, r.time.system, { graceDays: 5 }), OWNER);
  pass(r, 31 * DAY_MS);
  assert.equal((await l.check()).state, 'grace');
  assert.equal(l.allows('live-timing'), true);
  pass(r, 5 * DAY_MS);
  assert.equal((await l.check()).state, 'expired');
  assert.equal(l.allows('live-timing'), false);
  assert.equal((await l.install(await issueLicence(vendor, UNIT.unitId, r.time.system, { graceDays: 5 }), OWNER)).state, 'active');
  assert.deepEqual(
    r.audit.entries.filter((e) => e.via === 'boot').map((e) => e.detail.split(':')[0]),
    ['licence none', 'licence active', 'licence grace', 'licence expired', 'licence active'],
  );
  l.stop();
});

test('an already expired licence is not installed (422) and changes nothing', async () => {
  const r = await rig();
  const l = await r.open();
  const old = r.time.system - 400 * DAY_MS;
  await refused(l.install(await issueLicence(vendor, UNIT.unitId, old, { expires: new Date(old + 100 * DAY_MS).toISOString() }), OWNER), 'expired');
  assert.equal(l.current().state, 'none');
  l.stop();
});

test('clock set back: tampering is audited once and the licence counts from the latest time seen', async () => {
  const r = await rig();
  const l = await r.open();
  await l.install(await issueLicence(vendor, UNIT.unitId, r.time.system, { ttlDays: 400, expires: new Date(r.time.system + 10 * DAY_MS).toISOString(), graceDays: 0 }), OWNER);
  pass(r, 11 * DAY_MS);
  assert.equal((await l.check()).state, 'expired');
  r.time.system -= 5 * DAY_MS; // back inside the paid period
  const s = await l.check();
  assert.equal(s.state, 'expired', 'setting the clock back gains nothing');
  assert.equal(s.clock.tampered, true);
  assert.equal(s.clock.source, 'latest-seen');
  await l.check();
  assert.equal(r.audit.entries.filter((e) => /clock tampering/.test(e.detail)).length, 1);
  l.stop();
});

test('the clock jumped forward past expiry then back: still expired, also after a reboot', async () => {
  const r = await rig();
  const l = await r.open();
  await l.install(await issueLicence(vendor, UNIT.unitId, r.time.system, { graceDays: 0 }), OWNER);
  r.time.system += 2 * 365 * DAY_MS;
  assert.equal((await l.check()).state, 'expired');
  r.time.system -= 2 * 365 * DAY_MS;
  assert.equal((await l.check()).state, 'expired');
  l.stop();
  r.time.mono = 0; // reboot
  const again = await r.open();
  assert.equal(again.current().state, 'expired');
  assert.equal(again.current().clock.tampered, true);
  again.stop();
});

test('revocation lists: a newer list revokes, an older or equal one is refused (409), one from another key too; the highest is kept across reboots', async () => {
  const r = await rig();
  const l = await r.open();
  await l.install(await issueLicence(vendor, UNIT.unitId, r.time.system), OWNER);
  const list1 = await signedRevocationList(vendor, 1, ['LIC-ELSE']);
  const list2 = await signedRevocationList(vendor, 2, ['LIC-TEST-1']);
  assert.deepEqual(await l.applyRevocations(list1, OWNER), { number: 1, revokedCount: 1, state: 'active' });
  assert.deepEqual(await l.applyRevocations(list2, OWNER), { number: 2, revokedCount: 1, state: 'revoked' });
  assert.equal(l.allows('live-timing'), false);
  await refused(l.applyRevocations(list1, OWNER), 'older-list');
  await refused(l.applyRevocations(list2, OWNER), 'older-list');
  await refused(l.applyRevocations(await signedRevocationList(throwAwayVendorKey(), 3, []), OWNER), 'unknown-key');
  l.stop();
  const again = await r.open();
  assert.equal(again.current().revocationListNumber, 2);
  assert.equal(again.current().state, 'revoked');
  await refused(again.applyRevocations(list1, OWNER), 'older-list');
  // A revoked licence cannot be installed again either.
  await refused(again.install(await issueLicence(vendor, UNIT.unitId, r.time.system + 1000), OWNER), 'revoked');
  again.stop();
});

test('an install the audit log cannot record is undone', async () => {
  const r = await rig();
  const l = await r.open();
  r.audit.failing = true;
  await refused(l.install(await issueLicence(vendor, UNIT.unitId, r.time.system), OWNER), 'audit-unavailable');
  assert.equal(l.current().state, 'none');
  await assert.rejects(readFile(join(r.dataDir, 'license', 'license.json')), { code: 'ENOENT' });
  l.stop();
});

test('without readable vendor keys a licence cannot be checked: invalid with the reason, junk still told it is junk', async () => {
  const r = await rig();
  const l = await r.open();
  await l.install(await issueLicence(vendor, UNIT.unitId, r.time.system), OWNER);
  l.stop();
  const broken = await LicenseService.open({
    dataDir: r.dataDir,
    unit: () => UNIT,
    keys: () => Promise.reject(new Error('no pinned vendor keys (*.pem) in /nowhere')),
    audit: r.audit,
    log: silentLogger,
    enforced: true,
  });
  await broken.ready();
  assert.equal(broken.current().state, 'invalid');
  assert.match(broken.current().reason, /vendor keys/);
  await refused(broken.install('{"mediaType":"x"}', OWNER), 'unsigned');
  await refused(broken.install(await issueLicence(vendor, UNIT.unitId), OWNER), 'no-vendor-keys');
  broken.stop();
});
