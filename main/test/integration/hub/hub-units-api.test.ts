import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HubRoutes, registrationRecordMessage, Routes, type MemberGroups, type RegistrationRecord } from '@pitwall/protocol';
import { publicKeyBase64 } from '@pitwall/protocol/node';
import { createCompanion, HubRegistrar, type Companion } from '@pitwall/app';
import { scratchDir, waitFor } from '../../../../app/test/helpers/units.js';
import { pairOverUsb } from '../../../../testbed/companion.js';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { testVendorKey } from '../../../../testbed/vendor-test-key.js';
import { hubCli, startHubProcess, type HubProcess } from '../../../../hub/test/helpers/hub-process.js';
import { startDealerHub } from '../../helpers/dealer-hub.js';
import { HubRelay, hostPort } from '../../helpers/seeded-hub.js';

/**
 * The Hub screen's "Units on this hub" methods against a real `pitwall-hub serve` behind a relay
 * the test can cut, and two real sim units paired with the companion: live registration with a
 * claim code, the code refused the second time, store and forward with challenges fetched while
 * online, a hub showing another key, and a hostile hub whose record names another unit.
 */
const fingerprint = (spki: string) => `SHA256:${createHash('sha256').update(Buffer.from(spki, 'base64')).digest('base64').replace(/=+$/, '')}`;

describe('registering units from the Hub screen', { timeout: 240_000 }, () => {
  const scratch = scratchDir('hub-units');
  const companionDir = join(scratch.dir, 'laptop');
  const units: SimUnit[] = [];
  let hub: HubProcess;
  let relay: HubRelay;
  let companion: Companion;
  let coachToken: string;
  let claimCode: string;
  const h = () => companion.handlers;
  const unitRecords = async (i: number) => (await companion.channels.callRoute(units[i]!.ready.id, Routes.hubRegistration, {})).records;
  const unitState = async (i: number) => (await h()['hub:units']({})).units.find((u) => u.unitId === units[i]!.ready.id)!;
  const refused = (code: string, sentence: RegExp) => (err: Error & { code?: string }) => {
    assert.equal(err.code, code, err.message);
    assert.match(err.message, sentence);
    return true;
  };

  before(async () => {
    units.push(...(await Promise.all([1, 2].map((n) => startSimUnit({ dataDir: join(scratch.dir, `car-${n}`), name: `Car ${n}` })))));
    for (const u of units) await pairOverUsb(u, companionDir);
    ({ hub, coachToken, claimCode } = await startDealerHub(join(scratch.dir, 'hub')));
    relay = new HubRelay(hostPort(hub.url));
    await relay.open();
    companion = createCompanion({ dataDir: companionDir, mdns: false, serial: false, hotplug: false, hubTimeoutMs: 3000, hubRetryMs: 60_000, events: () => undefined });
    for (const u of units) await h()['devices:add-address']({ address: `127.0.0.1:${u.ready.apiPort}` });
    await waitFor('both units paired and online', async () => {
      await companion.refresh();
      return companion.list().filter((d) => d.online && d.pairing.state === 'paired').length === 2;
    }, 20_000);
  });
  after(async () => {
    await companion?.close();
    await relay?.close();
    await hub?.stop();
    for (const u of units) await u.stop();
    scratch.cleanup();
  });

  test('without a connected hub nothing is registered, and it says why', async () => {
    assert.deepEqual(await h()['hub:units']({}), { hubUrl: null, hubKey: null, challengesHeld: 0, units: [] });
    await assert.rejects(h()['hub:register-unit']({ unitId: units[0]!.ready.id }), refused('not-found', /No hub is connected/));
  });

  test('live: the unit signs, the hub registers it into the academy of the claim code, the unit holds the record', async () => {
    await h()['hub:connect']({ url: relay.url, token: coachToken });
    const before = await h()['hub:units']({});
    assert.equal(before.units.length, 2);
    assert.ok(before.units.every((u) => u.state === 'not-registered' && u.paired && u.online));
    const r = await h()['hub:register-unit']({ unitId: units[0]!.ready.id, claimCode });
    assert.equal(r.outcome, 'registered');
    assert.match(r.sentence, /Car 1 is registered with the hub \(owner Ridge Academy\)/);
    const [held] = await unitRecords(0);
    assert.equal(held?.record.unitId, units[0]!.ready.id);
    assert.equal(held?.record.owner?.name, 'Ridge Academy');
    assert.deepEqual({ ...(await unitState(0)), registeredAt: null }, { unitId: units[0]!.ready.id, name: 'Car 1', online: true, paired: true, state: 'registered', owner: 'Ridge Academy', registeredAt: null, refusal: null });
  });

  test('a claim code is good once: the second unit is refused with a sentence, and holds nothing', async () => {
    await assert.rejects(h()['hub:register-unit']({ unitId: units[1]!.ready.id, claimCode }), refused('conflict', /already used for another unit.*ask the dealer for a new one/));
    assert.deepEqual(await unitRecords(1), []);
    const s = await unitState(1);
    assert.equal(s.state, 'not-registered');
    assert.match(s.refusal ?? '', /already used/);
  });

  test('the hub out of reach without forward challenges: refused, saying to fetch them while online', async () => {
    await relay.close();
    await assert.rejects(h()['hub:register-unit']({ unitId: units[1]!.ready.id }), refused('unreachable', /cannot be reached and this companion holds no forward challenge/));
    await relay.open();
  });

  test('store and forward: challenges fetched online, the unit signs while the hub is away, forwarded later, the record reaches the unit', async () => {
    // Two presses at once (two windows): neither's challenges are lost.
    await Promise.all([h()['hub:fetch-challenges']({ count: 2 }), h()['hub:fetch-challenges']({ count: 1 })]);
    assert.equal((await h()['hub:units']({})).challengesHeld, 3);
    await relay.close();
    const r = await h()['hub:register-unit']({ unitId: units[1]!.ready.id });
    assert.equal(r.outcome, 'queued');
    assert.equal(r.units.challengesHeld, 2);
    assert.equal(r.units.units.find((u) => u.unitId === units[1]!.ready.id)?.state, 'waiting-forward');
    await assert.rejects(h()['hub:forward-registrations']({}), refused('unreachable', /cannot be reached/));
    assert.equal((await unitState(1)).state, 'waiting-forward', 'the request is kept');
    assert.deepEqual(await unitRecords(1), []);

    // The car has left when the hub is back: registered, the record waits here for it.
    await units[1]!.stop();
    await relay.open();
    const sent = await h()['hub:forward-registrations']({});
    const s = sent.units.find((u) => u.unitId === units[1]!.ready.id)!;
    assert.deepEqual([s.state, s.owner, s.refusal], ['record-waiting', null, null]);

    // At the next contact Register brings the record to it.
    units[1] = await startSimUnit({ dataDir: join(scratch.dir, 'car-2'), name: 'Car 2' });
    await h()['devices:add-address']({ address: `127.0.0.1:${units[1].ready.apiPort}` });
    await waitFor('car 2 back online', async () => (await unitState(1)).online, 20_000);
    const brought = await h()['hub:register-unit']({ unitId: units[1].ready.id });
    assert.equal(brought.outcome, 'delivered');
    assert.match(brought.sentence, /Car 2 now holds the hub’s record/);
    assert.equal((await unitState(1)).state, 'registered');
    assert.equal((await unitRecords(1))[0]?.record.unitId, units[1].ready.id);
  });

  // A hostile hub with its own key: it answers the member's groups, then a record, signed with its
  // key, naming the other car (with the key of the car that asked).
  const evil = generateKeyPairSync('ed25519');
  const evilKey = { publicKey: publicKeyBase64(evil.publicKey), fingerprint: fingerprint(publicKeyBase64(evil.publicKey)) };
  const me: MemberGroups = { memberId: 'a'.repeat(32), name: 'Mallory', organisation: { id: 'b'.repeat(32), name: 'Thieves', kind: 'academy' }, groups: [] };
  let evilServer: Server;
  const startEvil = async (): Promise<string> => {
    evilServer = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += String(d)));
      req.on('end', () => {
        const send = (status: number, doc: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
        if (req.url === HubRoutes.key.path) return send(200, evilKey);
        if (req.url === HubRoutes.myGroups.path) return send(200, me);
        if (req.url === HubRoutes.challenge.path) return send(201, { challengeId: 'e'.repeat(32), nonce: Buffer.alloc(32, 7).toString('base64'), purpose: 'live', expiresAt: new Date(Date.now() + 60_000).toISOString() });
        const asked = JSON.parse(body) as { publicKey: string; model: string };
        const record: RegistrationRecord = { unitId: units[1]!.ready.id, publicKey: asked.publicKey, fingerprint: fingerprint(asked.publicKey), model: asked.model, registeredAt: new Date().toISOString(), owner: { id: 'f'.repeat(32), name: 'Thieves' } };
        send(201, { record, hubKey: evilKey.fingerprint, signature: sign(null, registrationRecordMessage(record), evil.privateKey).toString('base64') });
      });
    });
    await new Promise<void>((r) => evilServer.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(evilServer.address() as { port: number }).port}`;
  };

  test('another server in the hub’s place (another key): refused before the unit signs anything', async () => {
    const evilUrl = await startEvil();
    relay.retarget(hostPort(evilUrl));
    try {
      const before = await unitRecords(1);
      await assert.rejects(h()['hub:register-unit']({ unitId: units[0]!.ready.id }), refused('key-changed', /now shows the key .* nothing was sent to it/));
      assert.deepEqual(await unitRecords(1), before);
      // The Hub screen's key warning shows both keys, as after a sync's check.
      assert.equal((await h()['hub:status']({})).connection?.presentedFingerprint, evilKey.fingerprint);
    } finally {
      relay.retarget(hostPort(hub.url));
    }
  });

  test('a hostile hub answering a record for another unit: refused, nothing kept by the companion or the unit', async () => {
    const evilUrl = `http://127.0.0.1:${(evilServer.address() as { port: number }).port}`;
    try {
      await h()['hub:forget']({});
      await h()['hub:connect']({ url: evilUrl, token: 'pwh_anything' });
      const before = [await unitRecords(0), await unitRecords(1)];
      await assert.rejects(h()['hub:register-unit']({ unitId: units[0]!.ready.id }), refused('conflict', /answered with a record that does not match this unit.*nothing was kept and nothing reached the unit/));
      assert.deepEqual([await unitRecords(0), await unitRecords(1)], before);
      const kept = new HubRegistrar(companionDir, { callRoute: () => Promise.reject(new Error('no unit here')) });
      assert.equal((await kept.known(units[0]!.ready.id))?.hubUrl, relay.url, 'the companion still keeps only the real hub’s record');
      assert.deepEqual(await kept.outboxFor(evilUrl).pending(), []);
      const s = await unitState(0);
      assert.equal(s.state, 'not-registered');
      assert.match(s.refusal ?? '', /does not match this unit/);
    } finally {
      evilServer.close();
    }
  });

  test('a hub trusting vendor keys refuses a unit without a birth certificate: a sentence, nothing kept', async () => {
    const dir = join(scratch.dir, 'strict-hub');
    const strictTarget = { kind: 'sqlite' as const, file: join(dir, 'hub.sqlite') };
    const vendor = await testVendorKey(dir);
    const org = await hubCli(['org', 'add', '--kind', 'academy', '--name', 'Strict Academy'], strictTarget, dir);
    const token = (await hubCli(['member', 'add', '--org', org.organisationId!, '--name', 'Coach'], strictTarget, dir)).token!;
    const strict = await startHubProcess(strictTarget, dir, join(dir, 'hub-key.pem'), ['--vendor-keys', vendor.keysDir]);
    try {
      await h()['hub:forget']({});
      await h()['hub:connect']({ url: strict.url, token });
      const before = await unitRecords(0);
      await assert.rejects(h()['hub:register-unit']({ unitId: units[0]!.ready.id }), refused('forbidden', /no valid birth certificate for its key: refused, and the hub reported it/));
      assert.deepEqual(await unitRecords(0), before);
      assert.equal((await unitState(0)).state, 'not-registered');
    } finally {
      await strict.stop();
    }
  });
});
