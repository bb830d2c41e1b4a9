import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { HubRoutes } from '@pitwall/protocol';
import { HubClient, RegistrationOutbox, signRegistrationRequest, verifySignedRegistration, type HubCallError } from '@pitwall/protocol/node';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { makeUnit } from '../../helpers/hub-fixture.js';
import { hubCli, startHubProcess, type HubProcess } from '../../helpers/hub-process.js';

// Two `pitwall-hub serve` processes on one PostgreSQL database: nothing lives in a process, so
// a challenge from one is spent at the other, and a replay at either is refused.
describe('two hub processes share one PostgreSQL', () => {
  const dbs = new TestDatabases('postgres');
  const hubs: HubProcess[] = [];
  after(async () => {
    for (const h of hubs) await h.stop();
    await dbs.close();
  });

  test('a challenge from one, the registration at the other, the replay refused at both; claim codes shared', async () => {
    const target = await dbs.target();
    const dir = dbs.tempDir();
    const keyFile = `${dir}/hub-key.pem`;
    hubs.push(...(await Promise.all([startHubProcess(target, dir, keyFile), startHubProcess(target, dir, keyFile)])));
    const [a, b] = hubs.map((h) => new HubClient(h.url));
    const keyA = await a!.key();
    assert.deepEqual(await b!.key(), keyA, 'both sign with the one key file');

    const unit = makeUnit();
    const req = signRegistrationRequest(unit.key, unit, await a!.challenge('live'));
    const record = verifySignedRegistration(await b!.register(req), keyA.publicKey, unit);
    assert.equal(record.unitId, unit.unitId);
    for (const hub of [a!, b!]) {
      await assert.rejects(hub.register(req), (e: HubCallError) => e.status === 409 && e.code === 'challenge-used');
    }
    // A clone of its id with another key, at the other process: refused, and the operator sees the report.
    const clone = { ...makeUnit(), unitId: unit.unitId };
    await assert.rejects(a!.register(signRegistrationRequest(clone.key, clone, await b!.challenge('live'))), (e: HubCallError) => e.code === 'key-mismatch');
    const report = await hubCli(['audit', '--kind', 'key-mismatch'], target, dir);
    assert.equal(report.unitId, unit.unitId);
    const detail = report.detail as unknown as Record<string, string>;
    assert.equal(detail.registered, record.fingerprint);
    assert.match(detail.presented!, /^SHA256:/);
    assert.notEqual(detail.presented, record.fingerprint);
    assert.equal(detail.source, '127.0.0.1');

    // Organisations made with the CLI; the claim code made at one process is spent at the other, once.
    const academy = await hubCli(['org', 'add', '--kind', 'academy', '--name', 'Shared Academy'], target, dir);
    const dealer = await hubCli(['org', 'add', '--kind', 'dealer', '--name', 'Shared Dealer'], target, dir);
    await hubCli(['org', 'link-dealer', '--dealer', dealer.organisationId!, '--academy', academy.organisationId!], target, dir);
    const { token } = await hubCli(['member', 'add', '--org', dealer.organisationId!, '--name', 'D'], target, dir);
    const issued = await fetch(new URL(HubRoutes.claimCode.path, hubs[0]!.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ academyId: academy.organisationId }),
    });
    const { code } = (await issued.json()) as { code: string };
    const units = [makeUnit(), makeUnit()];
    const answers = await Promise.allSettled(
      units.map(async (u, i) => {
        const hub = i === 0 ? a! : b!;
        return hub.register(signRegistrationRequest(u.key, u, await hub.challenge('live'), code));
      }),
    );
    assert.equal(answers.filter((r) => r.status === 'fulfilled').length, 1, 'one unit gets the code');
    const refused = answers.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal((refused.reason as HubCallError).code, 'claim-code-used');

    // Forty units registering at both processes at once: every one registered exactly once.
    const many = Array.from({ length: 40 }, () => makeUnit());
    const results = await Promise.all(
      many.map(async (u, i) => {
        const hub = i % 2 ? a! : b!;
        return verifySignedRegistration(await hub.register(signRegistrationRequest(u.key, u, await (i % 3 ? a! : b!).challenge('live'))), keyA.publicKey, u);
      }),
    );
    assert.equal(new Set(results.map((r) => r.unitId)).size, 40);
  });
});

// Store and forward: a companion takes a `forward` challenge while online, the unit (never
// online) signs its request at the track, the companion keeps it in its outbox while the hub is
// out of reach, forwards it later and keeps the signed answer to carry back to the unit.
for (const kind of DATABASE_KINDS) {
  describe(`store and forward through a companion (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let hub: HubProcess | null = null;
    after(async () => {
      await hub?.stop();
      await dbs.close();
    });

    test('the request waits in the outbox while the hub is away, then registers; the answer verifies at the unit; a replay is refused', async () => {
      const target = await dbs.target();
      const dir = dbs.tempDir();
      const keyFile = `${dir}/hub-key.pem`;
      hub = await startHubProcess(target, dir, keyFile);
      const academy = await hubCli(['org', 'add', '--kind', 'academy', '--name', 'Academy'], target, dir);
      const { token } = await hubCli(['member', 'add', '--org', academy.organisationId!, '--name', 'Coach'], target, dir);
      // A forward challenge lives for days: strangers get none.
      await assert.rejects(new HubClient(hub.url).challenge('forward'), (e: HubCallError) => e.status === 401);
      let client = new HubClient(hub.url, { token });
      // Online, before the track day: pin the hub's key, take a challenge for the unit.
      const pinned = (await client.key()).publicKey;
      const challenge = await client.challenge('forward');
      await hub.stop();

      // At the track, offline: the unit signs, the companion stores.
      const unit = makeUnit('PW-1 (sim)');
      const request = signRegistrationRequest(unit.key, unit, challenge);
      const outbox = new RegistrationOutbox(`${dir}/outbox`);
      await outbox.put(request);
      const offline = await outbox.forward(client);
      assert.deepEqual(offline.map((r) => r.outcome), ['kept']);
      assert.equal((await outbox.pending()).length, 1);

      // Back online (the hub restarted on the same database and key): forwarded, answered.
      hub = await startHubProcess(target, dir, keyFile);
      client = new HubClient(hub.url, { token });
      assert.deepEqual(await outbox.forward(client), [{ unitId: unit.unitId, outcome: 'registered' }]);
      assert.equal((await outbox.pending()).length, 0);
      const answer = await outbox.answerFor(unit.unitId);
      // Back at the unit: the record checks against the hub key it pinned.
      const record = verifySignedRegistration(answer, pinned, unit);
      assert.equal(record.model, 'PW-1 (sim)');

      // The same stored request carried again (a replay) is refused, and the outbox says why.
      await outbox.put(request);
      assert.deepEqual(await outbox.forward(client), [{ unitId: unit.unitId, outcome: 'refused', reason: 'challenge-used' }]);
      assert.equal((await outbox.refusalFor(unit.unitId))?.code, 'challenge-used');
      assert.deepEqual(await outbox.answerFor(unit.unitId), answer, 'the good answer is kept');
    });
  });
}
