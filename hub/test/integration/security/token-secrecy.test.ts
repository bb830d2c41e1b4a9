import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { HubRoutes } from '@pitwall/protocol';
import { buildHubServer } from '../../../src/server.js';
import { TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';
import { academyWorld, pathOf, snapshot, type AcademyWorld } from '../../helpers/two-academies.js';

// A member's bearer token is shown once. The hub keeps its SHA-256 and looks the hash up (an
// index lookup of a hash compares no secret byte by byte, so response times tell nothing of a
// token); no answer, log line, audit record or row ever holds the token, in any letter case.
describe('member tokens stay secret', () => {
  const dbs = new TestDatabases('sqlite');
  let f: HubFixture;
  let w: AcademyWorld;
  const logged: string[] = [];
  before(async () => {
    f = await hubFixture(dbs);
    w = await academyWorld(f, 'North');
  });
  after(() => dbs.close());

  test('stored as SHA-256 only; not in any answer, log line or row, however it is sent', async () => {
    const app = buildHubServer({ db: f.hubDb.db, key: f.key, log: (line) => logged.push(JSON.stringify(line)) });
    const tokens = [w.admin.token, w.driver.token, w.dealer.token, f.academyToken, f.dealerToken];
    const row = await f.hubDb.db.selectFrom('members').select('token_hash').where('id', '=', w.admin.id).executeTakeFirstOrThrow();
    assert.equal(row.token_hash, createHash('sha256').update(w.admin.token).digest('hex'));
    const answers: string[] = [];
    const wrong = [
      (t: string) => ({ authorization: `Bearer ${t}` }),
      (t: string) => ({ authorization: `bearer ${t}` }),
      (t: string) => ({ authorization: `Bearer ${t.toUpperCase()}` }),
      (t: string) => ({ authorization: `Bearer ${t.slice(0, -1)}` }),
      (t: string) => ({ authorization: `Bearer ${t} ${t}` }),
      (t: string) => ({ authorization: `Token ${t}` }),
      (t: string) => ({ 'x-api-key': t }),
    ];
    for (const t of [w.admin.token, w.dealer.token]) {
      for (const headers of wrong) {
        for (const opts of [
          { method: 'POST' as const, url: HubRoutes.createGroup.path, payload: { name: 'Team Red', [t]: 1 } },
          { method: 'GET' as const, url: `${pathOf(HubRoutes.groupSessions.path, { groupId: w.groupId })}?after=${encodeURIComponent(t)}` },
          { method: 'POST' as const, url: HubRoutes.claimCode.path, payload: { academyId: t } },
          { method: 'GET' as const, url: `/hub/v1/${t}` },
          { method: 'POST' as const, url: HubRoutes.challenge.path, payload: { purpose: 'forward' } },
        ]) {
          const res = await app.inject({ ...opts, headers: headers(t) });
          answers.push(`${JSON.stringify(res.headers)} ${res.body}`);
        }
      }
    }
    await app.close();
    const everything = [...answers, ...logged, await snapshot(f, [])].join('\n');
    for (const t of tokens) {
      for (const variant of [t, t.toLowerCase(), t.toUpperCase(), t.slice(4), t.slice(4, 30)]) {
        const at = everything.indexOf(variant);
        assert.ok(at < 0, `a token (or part of it) appears in an answer, log or row: …${everything.slice(Math.max(0, at - 200), at)}`);
      }
    }
  });
});
