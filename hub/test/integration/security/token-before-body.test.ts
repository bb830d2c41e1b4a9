import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HubRoutes, REGISTRY_PUSH_MAX_B, type HubRoute } from '@pitwall/protocol';
import { TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';

// A member route reads its body only for a member: a stranger's body (up to 32 MiB for a registry
// push) is refused with 401 before it is read or parsed, so a stranger cannot make the hub parse
// large bodies, and learns nothing from how its body was refused.
describe('a member route checks the token before it reads the body', () => {
  const dbs = new TestDatabases('sqlite');
  let f: HubFixture;
  before(async () => {
    f = await hubFixture(dbs);
  });
  after(() => dbs.close());

  const withBody = (Object.values(HubRoutes) as HubRoute[]).filter((r) => r.access === 'member' && r.body);

  test('no token: 401 for a body that is not JSON, of another type, or past the limit, on every member route with a body', async () => {
    for (const route of withBody) {
      const url = route.path.replace(/:[A-Za-z]+/g, 'a'.repeat(32));
      for (const [contentType, payload] of [
        ['application/json', '{'],
        ['text/plain', 'hello'],
        ['application/json', `{"pad":"${'x'.repeat((route.maxBodyB ?? 256 * 1024) + 1)}"}`],
      ] as const) {
        const res = await f.app.inject({ method: route.method, url, headers: { 'content-type': contentType }, payload });
        assert.equal(res.statusCode, 401, `${route.method} ${route.path} (${contentType}, ${payload.length} B): ${res.statusCode} ${res.body.slice(0, 120)}`);
        assert.equal(res.json().error.code, 'unauthenticated');
      }
    }
    assert.ok(withBody.some((r) => r.maxBodyB === REGISTRY_PUSH_MAX_B), 'the 32 MiB route is among them');
  });

  test('with a token the body is read and checked as before', async () => {
    const res = await f.app.inject({ method: 'POST', url: HubRoutes.createGroup.path, headers: { authorization: `Bearer ${f.academyToken}`, 'content-type': 'application/json' }, payload: '{' });
    assert.equal(res.statusCode, 400);
  });
});
