import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { HubRoutes } from '@pitwall/protocol';
import { buildHubServer } from '../../../src/server.js';
import { addMember, createOrganisation } from '../../../src/organisations/members.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';
import { startHubProcess } from '../../helpers/hub-process.js';
import { academyWorld, auth, snapshot, type AcademyWorld, type Person } from '../../helpers/two-academies.js';

// A member is known and accountable, but a token can be stolen (a laptop, a log, a CI secret):
// with it alone an attacker could send member requests as fast as the hub answers, each one a
// query or a transaction, and slow every academy on the hub. Each token has an allowance a
// minute, counted by the token's lookup itself in the database (every hub process shares it).
const LIMIT = 5;

for (const kind of DATABASE_KINDS) {
  describe(`rate limit per member token (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    let app: FastifyInstance;
    let w: AcademyWorld;
    const me = (who: Person, a: FastifyInstance = app) => a.inject({ method: 'GET', url: HubRoutes.myGroups.path, headers: auth(who) });
    before(async () => {
      f = await hubFixture(dbs);
      w = await academyWorld(f, 'North');
      f.clock.now = Math.ceil(Date.now() / 60_000) * 60_000;
      app = buildHubServer({ db: f.hubDb.db, key: f.key, now: () => f.clock.now, memberRateLimitPerMinute: LIMIT });
    });
    after(async () => {
      await app.close();
      await dbs.close();
    });

    test('past the allowance 429 rate-limited with Retry-After, whatever the route; another member served; the next minute served again', async () => {
      for (let i = 0; i < LIMIT; i++) assert.equal((await me(w.driver)).statusCode, 200);
      const refused = await me(w.driver);
      assert.equal(refused.statusCode, 429, refused.body);
      assert.equal(refused.json().error.code, 'rate-limited');
      assert.match(refused.json().error.message, /member token/);
      assert.ok(!refused.body.includes(w.driver.token));
      const retry = Number(refused.headers['retry-after']);
      assert.ok(retry >= 1 && retry <= 60, String(retry));
      // Another route, with a body: refused before the body is read, nothing written.
      const before = await snapshot(f);
      const share = await app.inject({
        method: 'PUT',
        url: HubRoutes.shareSession.path.replace(':unitId', w.unitId).replace(':sessionId', 'late'),
        headers: auth(w.driver),
        payload: { startedAt: '2026-05-01T10:00:00.000Z', trackId: w.trackId, laps: [], groups: [w.groupId] },
      });
      assert.equal(share.statusCode, 429, share.body);
      assert.equal(await snapshot(f), before, 'nothing written');
      assert.equal((await me(w.admin)).statusCode, 200, "another member's token has its own allowance");
      f.clock.now += 60_000;
      assert.equal((await me(w.driver)).statusCode, 200, 'a new minute, a new allowance');
    });

    test('an unknown token is 401 as ever and counts against nobody; two servers on one database share a token\'s allowance', async () => {
      f.clock.now += 60_000;
      for (let i = 0; i < 2 * LIMIT; i++) {
        const res = await app.inject({ method: 'GET', url: HubRoutes.myGroups.path, headers: { authorization: `Bearer pwh_${'B'.repeat(43)}` } });
        assert.equal(res.statusCode, 401);
      }
      const second = buildHubServer({ db: f.hubDb.db, key: f.key, now: () => f.clock.now, memberRateLimitPerMinute: LIMIT });
      try {
        const codes = [];
        for (let i = 0; i < LIMIT + 1; i++) codes.push((await me(w.admin, i % 2 ? second : app)).statusCode);
        assert.deepEqual(codes, [...Array<number>(LIMIT).fill(200), 429]);
      } finally {
        await second.close();
      }
    });

    test('a forward challenge is a member request: it spends the allowance too', async () => {
      f.clock.now += 60_000;
      for (let i = 0; i < LIMIT; i++) assert.equal((await me(w.dealer)).statusCode, 200);
      const res = await app.inject({ method: 'POST', url: HubRoutes.challenge.path, headers: auth(w.dealer), payload: { purpose: 'forward' } });
      assert.equal(res.statusCode, 429, res.body);
    });
  });
}

describe('member rate limit across two pitwall-hub processes on one PostgreSQL', () => {
  const dbs = new TestDatabases('postgres');
  after(() => dbs.close());

  test('--member-rate-limit 3: the fourth request with one token is refused by whichever process gets it; 0 turns it off', async () => {
    const target = await dbs.target();
    const db = await dbs.fresh(target);
    const org = await createOrganisation(db.db, 'Academy', 'academy');
    const { token } = await addMember(db.db, org, 'Stolen', 'member');
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-hub-'));
    const keyFile = join(dir, 'hub-key.pem');
    const hubs = [await startHubProcess(target, dir, keyFile, ['--member-rate-limit', '3']), await startHubProcess(target, dir, keyFile, ['--member-rate-limit', '3'])];
    const open = await startHubProcess(target, dir, keyFile, ['--member-rate-limit', '0']);
    const get = (url: string) => fetch(`${url}${HubRoutes.myGroups.path}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    try {
      // Within one minute of the wall clock; on the turn of a minute the allowance renews, so wait past it.
      if (60_000 - (Date.now() % 60_000) < 5_000) await new Promise((r) => setTimeout(r, 6_000));
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push(await get(hubs[i % 2]!.url));
      assert.deepEqual(codes, [200, 200, 200, 429]);
      assert.equal(await get(open.url), 200, 'a hub process started with 0 does not limit');
    } finally {
      for (const h of [...hubs, open]) await h.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
