import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { HubRoutes } from '@pitwall/protocol';
import { HubClient, RegistrationOutbox, signRegistrationRequest } from '@pitwall/protocol/node';
import { readAudit } from '../../../src/audit.js';
import { sourceKey } from '../../../src/rate-limit.js';
import { buildHubServer } from '../../../src/server.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { challenge, hubFixture, makeUnit, type HubFixture } from '../../helpers/hub-fixture.js';
import { startHubProcess } from '../../helpers/hub-process.js';

// The public routes that write (challenges, registrations) take anyone's request: without a limit
// one client fills the challenges table, the units table and the audit table (a key mismatch is
// audited) as fast as it can send. Each client address has an allowance a minute, counted in
// the database so that every hub process behind a load balancer counts against the same one.
const LIMIT = 5;

for (const kind of DATABASE_KINDS) {
  describe(`rate limits of the public routes (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    let app: FastifyInstance;
    const count = async (table: 'challenges' | 'audit' | 'units') => Number((await f.hubDb.db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()).n);
    const ask = (from: string, a: FastifyInstance = app) => a.inject({ method: 'POST', url: HubRoutes.challenge.path, payload: { purpose: 'live' }, remoteAddress: from });
    before(async () => {
      f = await hubFixture(dbs);
      // The clock starts at the beginning of a minute, so the whole allowance is in one window.
      f.clock.now = Math.ceil(Date.now() / 60_000) * 60_000;
      app = buildHubServer({ db: f.hubDb.db, key: f.key, now: () => f.clock.now, rateLimitPerMinute: LIMIT });
    });
    after(async () => {
      await app.close();
      await dbs.close();
    });

    test('challenges: past the allowance 429 with Retry-After and no row; other addresses served; the next minute served again', async () => {
      const rows = await count('challenges');
      for (let i = 0; i < LIMIT; i++) assert.equal((await ask('192.0.2.10')).statusCode, 201);
      const refused = await ask('192.0.2.10');
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.json().error.code, 'rate-limited');
      assert.ok(Number(refused.headers['retry-after']) >= 1 && Number(refused.headers['retry-after']) <= 60, String(refused.headers['retry-after']));
      assert.equal(await count('challenges'), rows + LIMIT, 'a refused request writes no challenge');
      assert.equal((await ask('192.0.2.11')).statusCode, 201, 'another address has its own allowance');
      f.clock.now += 60_000;
      assert.equal((await ask('192.0.2.10')).statusCode, 201, 'a new minute, a new allowance');
    });

    test('two hub servers on one database share the allowance', async () => {
      const second = buildHubServer({ db: f.hubDb.db, key: f.key, now: () => f.clock.now, rateLimitPerMinute: LIMIT });
      try {
        f.clock.now += 60_000;
        const codes = [];
        for (let i = 0; i < LIMIT + 1; i++) codes.push((await ask('192.0.2.20', i % 2 ? second : app)).statusCode);
        assert.deepEqual(codes, [...Array<number>(LIMIT).fill(201), 429]);
      } finally {
        await second.close();
      }
    });

    test("a member at a shared address (a track's Wi-Fi, one NAT for every academy there) still gets forward challenges after a stranger spent the address's allowance", async () => {
      f.clock.now += 60_000;
      for (let i = 0; i < LIMIT; i++) assert.equal((await ask('192.0.2.30')).statusCode, 201);
      const forward = (authorization: string) => app.inject({ method: 'POST', url: HubRoutes.challenge.path, payload: { purpose: 'forward' }, headers: { authorization }, remoteAddress: '192.0.2.30' });
      const member = await forward(`Bearer ${f.academyToken}`);
      assert.equal(member.statusCode, 201, `a member counts against their own token's allowance, not the address's: ${member.body}`);
      assert.equal((await forward(`Bearer pwh_${'C'.repeat(43)}`)).statusCode, 429, 'an unknown token is a stranger: the address counts');
      assert.equal((await ask('192.0.2.30')).statusCode, 429);
    });

    test('an IPv6 client counts per /64: another address of its /64 shares the allowance, another /64 does not', async () => {
      f.clock.now += 60_000;
      for (let i = 0; i < LIMIT; i++) assert.equal((await ask(`2001:db8:1:2::${i + 1}`)).statusCode, 201);
      assert.equal((await ask('2001:db8:1:2:ffff:ffff:ffff:fffe')).statusCode, 429);
      assert.equal((await ask('2001:db8:1:3::1')).statusCode, 201);
      assert.equal(sourceKey('2001:0db8:0001:0002:0000:0000:0000:0009'), sourceKey('2001:db8:1:2::1'));
      assert.equal(sourceKey('::ffff:192.0.2.1'), '192.0.2.1');
    });

    test('registrations: a flood of key mismatches from one address writes at most the allowance into the audit table', async () => {
      f.clock.now += 60_000;
      const unit = makeUnit();
      const open = buildHubServer({ db: f.hubDb.db, key: f.key, now: () => f.clock.now });
      const c = await challenge(open);
      assert.equal((await open.inject({ method: 'POST', url: HubRoutes.register.path, payload: signRegistrationRequest(unit.key, unit, c) })).statusCode, 201);
      const audited = (await readAudit(f.hubDb.db, { kind: 'key-mismatch', limit: 10_000 })).length;
      const codes = new Map<number, number>();
      for (let i = 0; i < 3 * LIMIT; i++) {
        const clone = { ...makeUnit(), unitId: unit.unitId };
        // The attacker's challenges come from a hub without a limit: the registration route's own allowance is what is tested.
        const fresh = await challenge(open);
        const res = await app.inject({ method: 'POST', url: HubRoutes.register.path, payload: signRegistrationRequest(clone.key, clone, fresh), remoteAddress: '198.51.100.66' });
        codes.set(res.statusCode, (codes.get(res.statusCode) ?? 0) + 1);
      }
      assert.deepEqual(Object.fromEntries(codes), { 409: LIMIT, 429: 2 * LIMIT });
      assert.equal((await readAudit(f.hubDb.db, { kind: 'key-mismatch', limit: 10_000 })).length, audited + LIMIT);
      await open.close();
    });

    test('a companion forwarding more requests than the allowance keeps the rest for later, it does not drop them as refused', async () => {
      f.clock.now += 60_000;
      const dir = mkdtempSync(join(tmpdir(), 'pitwall-outbox-'));
      await app.listen({ host: '127.0.0.1', port: 0 });
      try {
        const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
        const outbox = new RegistrationOutbox(dir);
        const forwardChallenges = new HubClient(url, { token: f.academyToken });
        // The challenges were taken earlier, over several minutes.
        const units = Array.from({ length: LIMIT + 2 }, () => makeUnit());
        for (const [i, u] of units.entries()) {
          if (i % LIMIT === 0) f.clock.now += 60_000;
          await outbox.put(signRegistrationRequest(u.key, u, await forwardChallenges.challenge('forward')));
        }
        f.clock.now += 60_000;
        const first = await outbox.forward(new HubClient(url));
        assert.equal(first.filter((r) => r.outcome === 'registered').length, LIMIT);
        assert.deepEqual(first.filter((r) => r.outcome !== 'registered').map((r) => r.outcome), ['kept', 'kept']);
        f.clock.now += 60_000;
        const second = await outbox.forward(new HubClient(url));
        assert.deepEqual(second.map((r) => r.outcome), ['registered', 'registered']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('rate limit across two pitwall-hub processes on one PostgreSQL', () => {
  const dbs = new TestDatabases('postgres');
  after(() => dbs.close());

  test('--rate-limit 4: the fifth challenge from one address is refused by whichever process gets it', async () => {
    const target = await dbs.target();
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-hub-'));
    const keyFile = join(dir, 'hub-key.pem');
    const hubs = [await startHubProcess(target, dir, keyFile, ['--rate-limit', '4']), await startHubProcess(target, dir, keyFile, ['--rate-limit', '4'])];
    try {
      // Both within one minute of the wall clock; on the turn of a minute the allowance renews, so ask again then.
      for (let attempt = 0; attempt < 2; attempt++) {
        if (60_000 - (Date.now() % 60_000) < 5_000) await new Promise((r) => setTimeout(r, 6_000));
        const codes: number[] = [];
        for (let i = 0; i < 5; i++) codes.push((await fetch(`${hubs[i % 2]!.url}${HubRoutes.challenge.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"purpose":"live"}' })).status);
        if (attempt === 0) assert.deepEqual(codes, [201, 201, 201, 201, 429]);
        else assert.deepEqual(codes, [429, 429, 429, 429, 429], 'still the same minute: nothing renewed');
        if (60_000 - (Date.now() % 60_000) < 5_000) break;
      }
    } finally {
      for (const h of hubs) await h.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
