import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { HubClient } from '@pitwall/protocol/node';
import { openDatabase as openHubDatabase, type HubDatabase } from '../../../../hub/src/db/open-database.js';
import { loadHubSigningKey } from '../../../../hub/src/hub-signing-key.js';
import { addMember, createOrganisation } from '../../../../hub/src/organisations/members.js';
import { buildHubServer } from '../../../../hub/src/server.js';
import { runCli } from '../../helpers/run-cli.js';

// `pitwall hub groups` against a real hub on loopback: a coach edits the roster offline (no
// hub reachable for the edits), syncs, and sees the admin's concurrent edit merged; a driver's
// push is refused and nothing changes on the hub.
const dir = mkdtempSync(join(tmpdir(), 'pitwall-cli-groups-'));
let hubDb: HubDatabase;
let app: FastifyInstance;
let url: string;
let group: string;
const people: Record<string, { id: string; dataDir: string; tokenFile: string }> = {};
let admin: HubClient;

before(async () => {
  hubDb = await openHubDatabase({ kind: 'sqlite', file: join(dir, 'hub.sqlite') });
  app = buildHubServer({ db: hubDb.db, key: await loadHubSigningKey(join(dir, 'hub-key.pem')) });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  const academy = await createOrganisation(hubDb.db, 'Academy', 'academy');
  admin = new HubClient(url, { token: (await addMember(hubDb.db, academy, 'Admin', 'admin')).token });
  group = (await admin.createGroup('Red')).groupId;
  for (const [name, role] of [['Cory', 'coach'], ['Dee', 'driver'], ['Dan', 'driver'], ['Dot', null]] as const) {
    const m = await addMember(hubDb.db, academy, name, 'member');
    if (role) await admin.addGroupMember(group, m.memberId, role);
    const tokenFile = join(dir, `${name}.token`);
    writeFileSync(tokenFile, `${m.token}\n`, { mode: 0o600 });
    people[name] = { id: m.memberId, dataDir: join(dir, name), tokenFile };
  }
});
after(async () => {
  await app.close();
  await hubDb.close();
  rmSync(dir, { recursive: true, force: true });
});

const groups = (name: string, ...args: string[]) => runCli(['hub', 'groups', ...args, '--hub', url, '--data-dir', people[name]!.dataDir]);
const sync = (name: string, ...extra: string[]) => groups(name, 'sync', '--token-file', people[name]!.tokenFile, ...extra);
const id = (name: string) => people[name]!.id;

test('pitwall hub groups: edits offline, sync, the merged roster and what came from elsewhere', async () => {
  assert.equal((await sync('Cory')).code, 0);
  const shown = await groups('Cory', 'show', group);
  assert.equal(shown.code, 0, shown.err);
  assert.match(shown.out, new RegExp(`coach\\s+Cory \\(${id('Cory')}\\)`));
  // Offline edits: no hub is asked (the URL only names whose rosters these are).
  for (const args of [['remove-member', group, id('Dee')], ['add-member', group, id('Dot'), '--role', 'driver'], ['set-role', group, id('Dan'), 'analyst']]) {
    const r = await groups('Cory', ...args);
    assert.equal(r.code, 0, r.err);
  }
  const waiting = (await groups('Cory', 'show', group)).out;
  assert.match(waiting, /edits here not pushed yet/);
  // Each edit on its own line, oldest first, members by name.
  // Dot was never in a roster this laptop pulled: the hub has not named her here yet.
  assert.deepEqual(
    waiting.split('\n').filter((l) => l.includes('not pushed yet ')).map((l) => l.replace(/^ +not pushed yet \S+: /, '')),
    [`remove Dee (${id('Dee')})`, `add ? (${id('Dot')}) as driver`, `make Dan (${id('Dan')}) analyst`],
  );
  // Meanwhile online, the admin puts Dee in again: an add the coach's remove never saw.
  await admin.addGroupMember(group, id('Dee'), 'analyst');
  const s = await sync('Cory', '--json');
  assert.equal(s.code, 0, s.err);
  assert.doesNotMatch((await groups('Cory', 'show', group)).out, /not pushed yet/, 'the hub took them');
  const report = JSON.parse(s.out) as { pushed: { groups: { outcome: string }[] }; changes: { change: string; memberId: string; to: string; by: string }[] };
  assert.equal(report.pushed.groups[0]!.outcome, 'merged');
  assert.deepEqual(report.changes.map((c) => [c.change, c.memberId, c.to, c.by]), [['member-added', id('Dee'), 'analyst', 'hub']]);
  const rows = await hubDb.db.selectFrom('group_members').select(['member_id', 'role']).where('group_id', '=', group).orderBy('member_id').execute();
  assert.deepEqual(rows.map((r) => [r.member_id, r.role]), [[id('Cory'), 'coach'], [id('Dan'), 'analyst'], [id('Dee'), 'analyst'], [id('Dot'), 'driver']].sort());
  const after = await groups('Cory', 'show', group);
  assert.match(after.out, /merged .*member-added .* -> analyst \(edit of hub at /);
  assert.doesNotMatch(after.out, /not pushed yet/);
});

test("a driver's laptop pushing roster edits is refused; mistakes are named", async () => {
  assert.equal((await sync('Dan')).code, 0);
  assert.equal((await groups('Dan', 'remove-member', group, id('Cory'))).code, 0);
  const before = await hubDb.db.selectFrom('group_members').selectAll().where('group_id', '=', group).orderBy('member_id').execute();
  const r = await sync('Dan');
  assert.equal(r.code, 1);
  assert.match(r.err, /not-a-coach/);
  assert.deepEqual(await hubDb.db.selectFrom('group_members').selectAll().where('group_id', '=', group).orderBy('member_id').execute(), before);
  assert.equal((await groups('Dan', 'discard', group)).code, 0);
  assert.equal((await sync('Dan')).code, 0);
  assert.equal((await groups('Dan', 'set-role', group, id('Cory'), 'boss')).code, 2);
  assert.equal((await groups('Dan', 'add-member', group, 'not-an-id', '--role', 'driver')).code, 2);
  assert.equal((await groups('Dan', 'show', 'f'.repeat(32))).code, 3);
  assert.equal((await groups('Dan', 'set-role', group, 'e'.repeat(32), 'driver')).code, 3);
  assert.equal((await runCli(['hub', 'groups', 'show'])).code, 2, 'no --hub');
});
