import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HubRoutes, type ClaimCodeIssued } from '@pitwall/protocol';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';
import { claimCode, hubFixture, makeUnit, registerUnit, type HubFixture, type TestUnit } from '../../helpers/hub-fixture.js';
import { batchItem, call, join, newGroup, person, routePath, shareBatch, type Person } from '../../helpers/team-fixture.js';
import { snapshot } from '../../helpers/two-academies.js';

// The attack: unit ids are heard at a track (mDNS), session ids are guessable. A member of academy
// South shares a session under a unit academy North registered first; North's real driver would
// then be refused as `session-of-another-driver` for their own session.
for (const kind of DATABASE_KINDS) {
  describe(`session squatting across academies (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    let f: HubFixture;
    let northDriver: Person;
    let northDealer: Person;
    let southDriver: Person;
    let northGroup: string;
    let southGroup: string;
    let northUnit: TestUnit;

    const one = (who: Person, unitId: string, sessionId: string, groups: string[]) => {
      const { unitId: _u, sessionId: _s, ...body } = batchItem(unitId, sessionId, groups);
      return call(f.app, who, 'PUT', routePath(HubRoutes.shareSession.path, { unitId, sessionId }), body);
    };

    before(async () => {
      f = await hubFixture(dbs);
      const northAdmin = await person(f.hubDb, f.academyId, 'North admin', 'admin');
      const southAdmin = await person(f.hubDb, f.otherAcademyId, 'South admin', 'admin');
      northDriver = await person(f.hubDb, f.academyId, 'North driver');
      southDriver = await person(f.hubDb, f.otherAcademyId, 'South driver');
      northDealer = { id: '', token: f.dealerToken };
      northGroup = await newGroup(f.app, northAdmin, 'North team');
      southGroup = await newGroup(f.app, southAdmin, 'South team');
      await join(f.app, northAdmin, northGroup, northDriver.id, 'driver');
      await join(f.app, southAdmin, southGroup, southDriver.id, 'driver');
      // North's unit, claimed for North by its dealer with a one-time code.
      northUnit = makeUnit();
      const code = (await claimCode(f.app, f.dealerToken, f.academyId)).json() as ClaimCodeIssued;
      const reg = await registerUnit(f.app, northUnit, code.code);
      assert.equal(reg.statusCode, 201, reg.body);
    });
    after(() => dbs.close());

    test("South's driver cannot share under North's unit: 403 unit-of-another-academy naming the item, nothing written; North's driver then shares it", async () => {
      const before = await snapshot(f);
      const own = makeUnit().unitId;
      const batch = await shareBatch(f.app, southDriver, [batchItem(own, 's-1', [southGroup]), batchItem(northUnit.unitId, 'session-7', [southGroup])]);
      assert.equal(batch.statusCode, 403, batch.body);
      assert.equal(batch.json().error.code, 'unit-of-another-academy');
      assert.match(batch.json().error.message, /^sessions\/1 \(unit [0-9a-f-]+, session session-7\): /);
      assert.ok(!batch.body.includes(f.academyId), 'the owner is not named');
      for (const groups of [[southGroup], []]) {
        const put = await one(southDriver, northUnit.unitId, 'session-7', groups);
        assert.equal(put.statusCode, 403, put.body);
        assert.equal(put.json().error.code, 'unit-of-another-academy');
      }
      assert.equal(await snapshot(f), before, 'nothing written');

      const real = await shareBatch(f.app, northDriver, [batchItem(northUnit.unitId, 'session-7', [northGroup])]);
      assert.equal(real.statusCode, 200, real.body);
      assert.equal((await one(northDriver, northUnit.unitId, 'session-8', [northGroup])).statusCode, 200);
    });

    test('the dealer that claimed the unit does not own it: its members are refused too', async () => {
      const res = await one(northDealer, northUnit.unitId, 'session-9', []);
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error.code, 'unit-of-another-academy');
    });

    test('a unit registered without an owner, or not registered here at all, is nobody\'s: any driver shares under it', async () => {
      const unowned = makeUnit();
      assert.equal((await registerUnit(f.app, unowned)).statusCode, 201);
      for (const unitId of [unowned.unitId, makeUnit().unitId]) {
        const res = await shareBatch(f.app, southDriver, [batchItem(unitId, 'open-1', [southGroup])]);
        assert.equal(res.statusCode, 200, res.body);
      }
    });
  });
}
