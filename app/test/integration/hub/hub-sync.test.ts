import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { HubRoutes, sharedSession } from '@pitwall/protocol';
import { HubCallError, HubClient } from '@pitwall/protocol/node';
import { openDatabase as openHubDatabase, type HubDatabase } from '../../../../hub/src/db/open-database.js';
import { loadHubSigningKey } from '../../../../hub/src/hub-signing-key.js';
import { addMember, createOrganisation } from '../../../../hub/src/organisations/members.js';
import { buildHubServer } from '../../../../hub/src/server.js';
import { shareSessions, syncHubGroups } from '../../../src/hub/hub-sync.js';
import { fleetForTrack, fleetTracks } from '../../../src/sessions/fleet-stats.js';
import { loadTracks } from '../../../src/sessions/sessions-service.js';
import { SessionStore } from '../../../src/sessions/session-store.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { everlandSession } from '../../helpers/everland-session.js';

// Three companions and a real hub on loopback: two drivers share with one group and each sees
// the other's laps in its own (offline) fleet distribution; a driver of another group sees none.
const EVERLAND = 'amg-everland-speedway-everland';
const tracks = loadTracks();
const dir = mkdtempSync(join(tmpdir(), 'pitwall-hub-sync-'));
let hubDb: HubDatabase;
let app: FastifyInstance;
let url: string;

interface Companion {
  db: Db;
  store: SessionStore;
  hub: HubClient;
  unitId: string;
  laps: number;
}

const companions: Record<string, Companion> = {};
const groups: Record<string, string> = {};

async function companion(name: string, token: string, unitId: string, pace: number): Promise<Companion> {
  const db = openDatabase(null);
  const store = new SessionStore(db, () => tracks);
  const { id } = store.ingest(everlandSession({ unitId, sessionId: `${name.toLowerCase()}-1`, driver: name, pace }), { sha256: '0'.repeat(64), unitName: `${name}'s car`, sizeB: 1 });
  return (companions[name] = { db, store, hub: new HubClient(url, { token }), unitId, laps: store.laps(id).length });
}

before(async () => {
  hubDb = await openHubDatabase({ kind: 'sqlite', file: join(dir, 'hub.sqlite') });
  app = buildHubServer({ db: hubDb.db, key: await loadHubSigningKey(join(dir, 'hub-key.pem')) });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  const academy = await createOrganisation(hubDb.db, 'Academy', 'academy');
  const admin = new HubClient(url, { token: (await addMember(hubDb.db, academy, 'Admin', 'admin')).token });
  groups.red = (await admin.createGroup('Red')).groupId;
  groups.blue = (await admin.createGroup('Blue')).groupId;
  for (const [name, group, pace] of [['Ana', 'red', 1], ['Ben', 'red', 1.03], ['Cat', 'blue', 0.98]] as const) {
    const m = await addMember(hubDb.db, academy, name, 'member');
    await admin.addGroupMember(groups[group]!, m.memberId, 'driver');
    await companion(name, m.token, randomUUID(), pace);
  }
});
after(async () => {
  for (const c of Object.values(companions)) c.db.close();
  await app.close();
  await hubDb.close();
  rmSync(dir, { recursive: true, force: true });
});

const drivers = (c: Companion) => fleetForTrack(c.db, tracks, { trackId: EVERLAND }).members.map((m) => [m.name, m.laps] as [string, number]).sort((x, y) => x[0].localeCompare(y[0]));

test("two companions share with one group through the hub: each sees the other's laps in its local fleet distribution", async () => {
  const { Ana: a, Ben: b } = companions as Record<string, Companion>;
  assert.deepEqual(await shareSessions(a!.store, a!.hub, ['ana-1'], [groups.red!]), [{ unitId: a!.unitId, sessionId: 'ana-1', laps: a!.laps }]);
  await shareSessions(b!.store, b!.hub, ['ben-1'], [groups.red!]);
  assert.deepEqual(await syncHubGroups(a!.db, a!.hub, [groups.red!]), [{ groupId: groups.red, changed: 2 }]);
  assert.deepEqual(await syncHubGroups(b!.db, b!.hub, [groups.red!]), [{ groupId: groups.red, changed: 2 }]);
  // Each store: its own session once (its copy back from the hub is not counted again) and the other's.
  for (const c of [a!, b!]) assert.deepEqual(drivers(c), [['Ana', a!.laps], ['Ben', b!.laps]]);
  const d = fleetForTrack(a!.db, tracks, { trackId: EVERLAND, mark: 'Ben' });
  assert.equal(d.markedLapsMs.length, b!.laps);
  assert.ok(d.sectors.length === 3 && d.sectors.every((s) => s.box!.n === a!.laps + b!.laps), 'sector times came through');
  assert.equal(fleetTracks(a!.db, tracks)[0]!.laps, a!.laps + b!.laps);
  // Nothing changed since: the kept cursor asks for nothing new.
  assert.deepEqual(await syncHubGroups(a!.db, a!.hub, [groups.red!]), [{ groupId: groups.red, changed: 0 }]);
});

test("a driver of another group sees none of them, and cannot sync a group that is not theirs", async () => {
  const c = companions.Cat!;
  await shareSessions(c.store, c.hub, ['cat-1'], [groups.blue!]);
  assert.deepEqual(await syncHubGroups(c.db, c.hub, [groups.blue!]), [{ groupId: groups.blue, changed: 1 }]);
  await assert.rejects(syncHubGroups(c.db, c.hub, [groups.red!]), (e: unknown) => e instanceof HubCallError && e.code === 'no-such-group');
  await assert.rejects(shareSessions(c.store, c.hub, ['cat-1'], [groups.red!]), (e: unknown) => e instanceof HubCallError && e.code === 'no-such-group');
  assert.deepEqual(drivers(c), [['Cat', c.laps]]);
  assert.equal((c.db.prepare('SELECT COUNT(*) AS n FROM hub_lap_features').get() as { n: number }).n, 1, 'only its own session came back');
  // And Red's members never got Cat's session.
  await syncHubGroups(companions.Ana!.db, companions.Ana!.hub, [groups.red!]);
  assert.deepEqual(drivers(companions.Ana!).map(([n]) => n), ['Ana', 'Ben']);
});

test('a session the store does not have, or a hub out of reach: a clear error, the store works on from what it has', async () => {
  const a = companions.Ana!;
  await assert.rejects(shareSessions(a.store, a.hub, ['ana-1', 'no-such'], [groups.red!]), /no session "no-such"/);
  const offline = new HubClient('http://127.0.0.1:9', { token: 'pwh_x', timeoutMs: 2000 });
  await assert.rejects(syncHubGroups(a.db, offline, [groups.red!]), (e: unknown) => e instanceof HubCallError && e.code === 'unreachable');
  assert.deepEqual(drivers(a).map(([n]) => n), ['Ana', 'Ben']);
});

test("a companion's sessions go in one batch, all or nothing: one that is another driver's keeps the rest off the hub", async () => {
  const a = companions.Ana!;
  const b = companions.Ben!;
  for (const [unitId, sessionId] of [[a.unitId, 'ana-2'], [b.unitId, 'ben-1']] as const) {
    a.store.ingest(everlandSession({ unitId, sessionId, driver: 'Ana', pace: 1.01 }), { sha256: '1'.repeat(64), unitName: "Ana's car", sizeB: 1 });
  }
  await assert.rejects(shareSessions(a.store, a.hub, ['ana-2', 'ben-1'], [groups.red!]), (e: unknown) => e instanceof HubCallError && e.code === 'session-of-another-driver' && /sessions\/1\b/.test(e.message));
  await assert.rejects(a.hub.call(HubRoutes.readSession, undefined, sharedSession, { unitId: a.unitId, sessionId: 'ana-2' }), (e: unknown) => e instanceof HubCallError && e.status === 404);
  const shared = await shareSessions(a.store, a.hub, ['ana-2', 'ana-1'], [groups.red!]);
  assert.deepEqual(shared.map((s) => s.sessionId), ['ana-2', 'ana-1']);
  assert.deepEqual(await syncHubGroups(b.db, b.hub, [groups.red!]), [{ groupId: groups.red, changed: 2 }], 'both came in one request, the other companion sees both');
});
