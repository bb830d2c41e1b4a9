import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HubRoutes, memberGroups, type MemberGroups } from '@pitwall/protocol';
import { HubClient } from '@pitwall/protocol/node';
import { loadTracks, openDatabase, SessionStore } from '@pitwall/app';
import { everlandSession } from '../../../../app/test/helpers/everland-session.js';
import { runCli } from '../../helpers/run-cli.js';
import { HubRelay, hostPort, startSeededHub, type SeededHub } from '../../helpers/seeded-hub.js';

// `pitwall hub sync` without group ids, against a real `pitwall-hub serve` seeded as an academy
// would be (Ana drives in Team Red and Class of May, Ben in Team Red, Cleo is an analyst of Class
// of May), reached through a relay the test cuts: the member's groups come from the hub, or, out
// of reach, from what this store last heard; --group narrows by id or by name.
const tracks = loadTracks();
const dir = mkdtempSync(join(tmpdir(), 'pitwall-cli-hub-groups-sync-'));
let seeded: SeededHub;
let relay: HubRelay;
const people: Record<string, { dataDir: string; tokenFile: string }> = {};

before(async () => {
  seeded = await startSeededHub(join(dir, 'hub'));
  relay = new HubRelay(hostPort(seeded.hub.url));
  await relay.open();
  for (const name of ['ana', 'ben', 'cleo'] as const) {
    const dataDir = join(dir, name);
    const db = openDatabase(dataDir);
    new SessionStore(db, () => tracks).ingest(everlandSession({ unitId: randomUUID(), sessionId: `${name}-1`, driver: name }), { sha256: '0'.repeat(64), unitName: name, sizeB: 1 });
    db.close();
    const tokenFile = join(dir, `${name}.token`);
    writeFileSync(tokenFile, `${seeded.tokens[name]}\n`, { mode: 0o600 });
    people[name] = { dataDir, tokenFile };
  }
});
after(async () => {
  await relay?.close();
  await seeded?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sync = (name: string, ...extra: string[]) => runCli(['hub', 'sync', '--hub', relay.url, '--token-file', people[name]!.tokenFile, '--data-dir', people[name]!.dataDir, ...extra]);

test('without --group: every group the member is in; sessions to the groups they drive in', async () => {
  const { red, may } = seeded.groups;
  const a = await sync('ana', '--share', 'ana-1');
  assert.equal(a.code, 0, a.err);
  assert.match(a.out, new RegExp(`^shared ana-1 \\(\\d+ laps\\) with 2 group\\(s\\): .*\\(${red}\\)`, 'm'));
  assert.match(a.out, new RegExp(`^group "Class of May" \\(${may}\\): 1 session\\(s\\) new or changed$`, 'm'));
  assert.match(a.out, new RegExp(`^group "Team Red" \\(${red}\\): 1 session\\(s\\) new or changed$`, 'm'));
  // Ben drives in Team Red only: he is given Ana's session through it, not Class of May's.
  const b = await sync('ben', '--share', 'ben-1', '--json');
  assert.equal(b.code, 0, b.err);
  assert.deepEqual(JSON.parse(b.out).synced, [{ groupId: red, changed: 2, name: 'Team Red' }]);
  // Cleo is an analyst: she syncs Class of May, and has no group to share into.
  const c = await sync('cleo');
  assert.equal(c.code, 0, c.err);
  assert.equal(c.out.trim(), `group "Class of May" (${may}): 1 session(s) new or changed`);
  const cs = await sync('cleo', '--share', 'cleo-1');
  assert.equal(cs.code, 2);
  assert.match(cs.err, /you drive in none of your groups/);
});

test('--group narrows, by id or by name (exact, else ignoring case); unknown and ambiguous names are refused, nothing sent', async () => {
  const { red, may } = seeded.groups;
  const byName = await sync('ana', '--group', 'team red');
  assert.equal(byName.code, 0, byName.err);
  assert.equal(byName.out.trim(), `group "Team Red" (${red}): 1 session(s) new or changed`, "Ben's session, shared since");
  const byId = await sync('ana', '--group', may, '--group', 'Class of May');
  assert.equal(byId.code, 0, byId.err);
  assert.equal(byId.out.trim(), `group "Class of May" (${may}): 0 session(s) new or changed`, 'one group named twice is synced once');

  const unknown = await sync('ana', '--group', 'Team Blue', '--share', 'ana-1');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /no group of yours is named "Team Blue" \(your groups: "Class of May" \([0-9a-f]{32}\), "Team Red" \([0-9a-f]{32}\)\)/);
  assert.equal(unknown.out, '', 'nothing shared or synced');
  // Ben is not in Class of May: to him the name is unknown, not a way into it.
  assert.match((await sync('ben', '--group', 'Class of May')).err, /no group of yours is named "Class of May" \(your groups: "Team Red"/);

  // The admin makes a second "Team Red" with Ana in it: the name no longer says which.
  const admin = new HubClient(seeded.hub.url, { token: seeded.tokens.admin });
  const red2 = (await admin.createGroup('Team Red')).groupId;
  const anaId = (await new HubClient(seeded.hub.url, { token: seeded.tokens.ana }).call<MemberGroups>(HubRoutes.myGroups, undefined, memberGroups)).memberId;
  await admin.addGroupMember(red2, anaId, 'driver');
  const ambiguous = await sync('ana', '--group', 'Team Red');
  assert.equal(ambiguous.code, 2);
  assert.match(ambiguous.err, new RegExp(`2 of your groups are named "Team Red": give the one you mean by id \\((.*${red}.*${red2}|.*${red2}.*${red})`));
  const both = await sync('ana', '--group', red2);
  assert.equal(both.code, 0, both.err);
  assert.equal(both.out.trim(), `group "Team Red" (${red2}): 0 session(s) new or changed`);
});

test('out of reach: the groups last seen here, said so; never seen: told to sync once online; the token never printed', async () => {
  await relay.close();
  try {
    const off = await sync('cleo', '--group', 'class of may');
    assert.equal(off.code, 1, off.err);
    assert.match(off.err, /the hub cannot be reached: your groups as it last said them \(\d{4}-\d\d-\d\dT/);
    assert.match(off.err, /the hub refused or cannot be reached: unreachable/, 'the name was resolved from the store; the sync itself waits for the network');
    const unknownOff = await sync('cleo', '--group', 'Team Red');
    assert.equal(unknownOff.code, 2);
    assert.match(unknownOff.err, /no group of yours is named "Team Red" \(your groups: "Class of May"/);

    const fresh = join(dir, 'fresh');
    const never = await runCli(['hub', 'sync', '--hub', relay.url, '--token-file', people.cleo!.tokenFile, '--data-dir', fresh]);
    assert.equal(never.code, 1);
    assert.match(never.err, /cannot be reached and this store has not seen your groups on it yet: sync once online, or name the groups by id/);
    for (const r of [off, unknownOff, never]) assert.doesNotMatch(r.out + r.err, new RegExp(seeded.tokens.cleo.slice(0, 20)));
  } finally {
    await relay.open();
  }
});
