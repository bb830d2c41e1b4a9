import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { SharedSessionUpload } from '@pitwall/protocol';
import { HubClient, syncGroup, type HubCallError } from '@pitwall/protocol/node';
import { loadHubSigningKey } from '../../../src/hub-signing-key.js';
import { addMember, createOrganisation } from '../../../src/organisations/members.js';
import { buildHubServer } from '../../../src/server.js';
import { DATABASE_KINDS, TestDatabases } from '../../helpers/hub-databases.js';

const upload = (groups: string[], timeMs: number): SharedSessionUpload => ({
  startedAt: '2026-06-01T09:00:00.000Z',
  trackId: null,
  laps: [{ lap: 1, timeMs, sectorsMs: [] }],
  groups,
});

// A companion syncing its group over real HTTP: everything at first, then only what changed,
// nothing while the hub is away (the cursor it keeps stays), the rest when it is back.
for (const kind of DATABASE_KINDS) {
  describe(`group sync, offline-first (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    after(() => dbs.close());

    test('first sync, catch-up, hub away, back again', async () => {
      const target = await dbs.target();
      const hubDb = await dbs.fresh(target);
      const key = await loadHubSigningKey(`${dbs.tempDir()}/hub-key.pem`);
      let clock = Date.parse('2026-06-01T12:00:00.000Z');
      const serve = async () => {
        const app = buildHubServer({ db: hubDb.db, key, now: () => (clock += 1) });
        return { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
      };
      let hub = await serve();
      const academy = await createOrganisation(hubDb.db, 'Academy', 'academy');
      const admin = await addMember(hubDb.db, academy, 'admin', 'admin');
      const driver = await addMember(hubDb.db, academy, 'driver', 'member');
      const coach = await addMember(hubDb.db, academy, 'coach', 'member');
      const adminClient = new HubClient(hub.url, { token: admin.token });
      const g = await adminClient.createGroup('Team');
      for (const [m, role] of [[driver, 'driver'], [coach, 'coach']] as const) await adminClient.addGroupMember(g.groupId, m.memberId, role);
      const unit = randomUUID();
      let driverHub = new HubClient(hub.url, { token: driver.token });
      for (let i = 0; i < 3; i++) await driverHub.shareSession(unit, `s${i}`, upload([g.groupId], 60_000 + i));

      let coachHub = new HubClient(hub.url, { token: coach.token });
      const first = await syncGroup(coachHub, g.groupId, null);
      assert.deepEqual(first.changed.map((s) => s.sessionId), ['s0', 's1', 's2']);

      await driverHub.shareSession(unit, 's3', upload([g.groupId], 63_000));
      await driverHub.shareSession(unit, 's1', upload([g.groupId], 59_500));
      const second = await syncGroup(coachHub, g.groupId, first.cursor);
      assert.deepEqual(second.changed.map((s) => [s.sessionId, s.laps[0]!.timeMs]), [['s3', 63_000], ['s1', 59_500]]);

      // The hub goes away: the sync fails as unreachable, the companion keeps its cursor.
      await hub.app.close();
      await assert.rejects(syncGroup(coachHub, g.groupId, second.cursor), (e: HubCallError) => e.status === 0 && e.code === 'unreachable');
      // Meanwhile the driver shared from another laptop, through another hub process on the same database.
      hub = await serve();
      driverHub = new HubClient(hub.url, { token: driver.token });
      coachHub = new HubClient(hub.url, { token: coach.token });
      await driverHub.shareSession(unit, 's4', upload([g.groupId], 64_000));
      const third = await syncGroup(coachHub, g.groupId, second.cursor);
      assert.deepEqual(third.changed.map((s) => s.sessionId), ['s4']);
      assert.deepEqual((await syncGroup(coachHub, g.groupId, third.cursor)).changed, []);
      await hub.app.close();
    });
  });
}
