import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { HubClient } from '@pitwall/protocol/node';
import { fleetForTrack, loadTracks, openDatabase, SessionStore } from '@pitwall/app';
import { openDatabase as openHubDatabase, type HubDatabase } from '../../../../hub/src/db/open-database.js';
import { loadHubSigningKey } from '../../../../hub/src/hub-signing-key.js';
import { addMember, createOrganisation } from '../../../../hub/src/organisations/members.js';
import { buildHubServer } from '../../../../hub/src/server.js';
import { everlandSession } from '../../../../app/test/helpers/everland-session.js';
import { runCli } from '../../helpers/run-cli.js';

// `pitwall hub sync` against a real hub on loopback: two companions' data dirs share with one
// group; each then has the other's laps in its store's fleet distribution.
const EVERLAND = 'amg-everland-speedway-everland';
const tracks = loadTracks();
const dir = mkdtempSync(join(tmpdir(), 'pitwall-cli-hub-'));
let hubDb: HubDatabase;
let app: FastifyInstance;
let url: string;
let group: string;
const people: Record<string, { dataDir: string; tokenFile: string }> = {};

before(async () => {
  hubDb = await openHubDatabase({ kind: 'sqlite', file: join(dir, 'hub.sqlite') });
  app = buildHubServer({ db: hubDb.db, key: await loadHubSigningKey(join(dir, 'hub-key.pem')) });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  const academy = await createOrganisation(hubDb.db, 'Academy', 'academy');
  const admin = new HubClient(url, { token: (await addMember(hubDb.db, academy, 'Admin', 'admin')).token });
  group = (await admin.createGroup('Red')).groupId;
  for (const name of ['Ana', 'Ben']) {
    const m = await addMember(hubDb.db, academy, name, 'member');
    await admin.addGroupMember(group, m.memberId, 'driver');
    const dataDir = join(dir, name);
    const db = openDatabase(dataDir);
    new SessionStore(db, () => tracks).ingest(everlandSession({ unitId: randomUUID(), sessionId: `${name}-1`, driver: name }), { sha256: '0'.repeat(64), unitName: name, sizeB: 1 });
    db.close();
    const tokenFile = join(dir, `${name}.token`);
    writeFileSync(tokenFile, `${m.token}\n`, { mode: 0o600 });
    people[name] = { dataDir, tokenFile };
  }
});
after(async () => {
  await app.close();
  await hubDb.close();
  rmSync(dir, { recursive: true, force: true });
});

const sync = (name: string, ...extra: string[]) => runCli(['hub', 'sync', '--hub', url, '--group', group, '--token-file', people[name]!.tokenFile, '--data-dir', people[name]!.dataDir, ...extra]);

test("pitwall hub sync: shares the chosen sessions, brings the group's into the store", async () => {
  const a = await sync('Ana', '--share', 'Ana-1');
  assert.equal(a.code, 0, a.err);
  assert.match(a.out, /shared Ana-1 \(\d+ laps\) with 1 group/);
  const b = await sync('Ben', '--share', 'Ben-1', '--json');
  assert.equal(b.code, 0, b.err);
  assert.deepEqual(JSON.parse(b.out).synced, [{ groupId: group, changed: 2, name: 'Red' }]);
  assert.equal((await sync('Ana')).out.trim(), `group "Red" (${group}): 1 session(s) new or changed`);
  for (const name of ['Ana', 'Ben']) {
    const db = openDatabase(people[name]!.dataDir);
    assert.deepEqual(fleetForTrack(db, tracks, { trackId: EVERLAND }).members.map((m) => m.name).sort(), ['Ana', 'Ben']);
    db.close();
  }
});

test('mistakes are named, nothing is sent, the token is never printed', async () => {
  const missing = await sync('Ana', '--share', 'no-such-session');
  assert.equal(missing.code, 3);
  assert.match(missing.err, /no session "no-such-session"/);
  const badGroup = await runCli(['hub', 'sync', '--hub', url, '--group', 'nope', '--token-file', people.Ana!.tokenFile, '--data-dir', people.Ana!.dataDir]);
  assert.equal(badGroup.code, 2);
  assert.match(badGroup.err, /no group of yours is named "nope" \(your groups: "Red" \([0-9a-f]{32}\)\)/);
  const wrongToken = join(dir, 'wrong.token');
  writeFileSync(wrongToken, 'pwh_not-a-real-token-at-all-but-long-enough-for-it\n');
  const refused = await runCli(['hub', 'sync', '--hub', url, '--group', group, '--token-file', wrongToken, '--data-dir', people.Ana!.dataDir]);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /unauthenticated/);
  assert.doesNotMatch(refused.err + refused.out, /pwh_not-a-real/);
});
