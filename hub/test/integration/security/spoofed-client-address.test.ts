import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HubRoutes } from '@pitwall/protocol';
import { signRegistrationRequest } from '@pitwall/protocol/node';
import { readAudit } from '../../../src/audit.js';
import { buildHubServer } from '../../../src/server.js';
import { TestDatabases } from '../../helpers/hub-databases.js';
import { challenge, hubFixture, makeUnit, registerUnit, type HubFixture } from '../../helpers/hub-fixture.js';

// The client address goes into the audit table (and keys the rate limit). A client writes any
// X-Forwarded-For it likes; only the entry the hub's own proxy appended (the last one) is the
// proxy's word. Trusting every hop lets a client name itself anyone.
describe('client address: X-Forwarded-For spoofing', () => {
  const dbs = new TestDatabases('sqlite');
  let f: HubFixture;
  before(async () => {
    f = await hubFixture(dbs);
  });
  after(() => dbs.close());

  async function mismatchSource(app: typeof f.app, forwardedFor: string): Promise<unknown> {
    const unit = makeUnit();
    assert.equal((await registerUnit(app, unit)).statusCode, 201);
    const clone = { ...makeUnit(), unitId: unit.unitId };
    const res = await app.inject({
      method: 'POST',
      url: HubRoutes.register.path,
      payload: signRegistrationRequest(clone.key, clone, await challenge(app)),
      headers: { 'x-forwarded-for': forwardedFor },
      remoteAddress: '10.0.0.2',
    });
    assert.equal(res.json().error.code, 'key-mismatch');
    return (await readAudit(f.hubDb.db, { kind: 'key-mismatch' })).find((a) => a.unitId === unit.unitId)?.detail.source;
  }

  test('not behind a proxy: X-Forwarded-For is ignored, the socket address is recorded', async () => {
    assert.equal(await mismatchSource(f.app, '198.51.100.9'), '10.0.0.2');
  });

  test("behind a proxy: the address the proxy appended, never one the client wrote before it", async () => {
    const behindProxy = buildHubServer({ db: f.hubDb.db, key: f.key, now: () => f.clock.now, trustProxy: true });
    try {
      // The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the address it saw.
      assert.equal(await mismatchSource(behindProxy, '6.6.6.6, 203.0.113.7'), '203.0.113.7');
      assert.equal(await mismatchSource(behindProxy, '6.6.6.6,7.7.7.7, 203.0.113.8'), '203.0.113.8');
      assert.equal(await mismatchSource(behindProxy, '203.0.113.9'), '203.0.113.9');
    } finally {
      await behindProxy.close();
    }
  });
});
