import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HubRoutes } from '@pitwall/protocol';
import { FORWARD_CHALLENGES_PER_MEMBER } from '../../../src/registration/challenges.js';
import { addMember } from '../../../src/organisations/members.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { challenge, hubFixture, makeUnit, register, type HubFixture } from '../../helpers/hub-fixture.js';
import { signRegistrationRequest } from '@pitwall/protocol/node';

// A forward challenge is kept 14 days. A member asking for them without end (a script, a stolen
// token within its allowance a minute) would fill the table for weeks: each member holds at most
// FORWARD_CHALLENGES_PER_MEMBER unused ones; spending one makes room; other members are unaffected.
for (const kind of DATABASE_KINDS) {
  describe(`forward challenges held per member (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    const rows = async () => Number((await f.hubDb.db.selectFrom('challenges').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()).n);
    const ask = (token: string) => f.app.inject({ method: 'POST', url: HubRoutes.challenge.path, headers: { authorization: `Bearer ${token}` }, payload: { purpose: 'forward' } });
    before(async () => {
      f = await hubFixture(dbs);
    });
    after(() => dbs.close());

    test('past the bound: 409 too-many-challenges, no row; another member served; a spent one makes room', async () => {
      const held = [];
      for (let i = 0; i < FORWARD_CHALLENGES_PER_MEMBER; i++) held.push(await challenge(f.app, 'forward', f.dealerToken));
      const before = await rows();
      const refused = await ask(f.dealerToken);
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().error.code, 'too-many-challenges');
      assert.match(refused.json().error.message, /1000 forward challenges not used yet/);
      assert.equal(await rows(), before, 'a refused request writes no challenge');
      assert.equal((await ask(f.academyToken)).statusCode, 201, 'another member holds their own');
      const other = (await addMember(f.hubDb.db, f.dealerId, 'Second Dealer', 'member')).token;
      assert.equal((await ask(other)).statusCode, 201, 'a second member of the same dealer too');
      assert.equal((await f.app.inject({ method: 'POST', url: HubRoutes.challenge.path, payload: { purpose: 'live' } })).statusCode, 201, 'live challenges are not bounded by it');

      const unit = makeUnit();
      const res = await register(f.app, signRegistrationRequest(unit.key, unit, held[0]!));
      assert.ok(res.statusCode === 200 || res.statusCode === 201, res.body);
      assert.equal((await ask(f.dealerToken)).statusCode, 201, 'a spent challenge makes room for one more');
      assert.equal((await ask(f.dealerToken)).statusCode, 409);
      f.clock.now += 15 * 24 * 3_600_000;
      assert.equal((await ask(f.dealerToken)).statusCode, 201, 'expired ones no longer count');
    });
  });
}
