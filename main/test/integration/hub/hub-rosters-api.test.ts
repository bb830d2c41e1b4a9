import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HubRoster, HubRostersStatus } from '@pitwall/protocol';
import { HubClient } from '@pitwall/protocol/node';
import { createCompanion, type Companion } from '@pitwall/app';
import { scratchDir } from '../../../../app/test/helpers/units.js';
import { hubBehindRelay, type SeededHubBehindRelay } from '../../helpers/seeded-hub.js';

/**
 * The Hub screen's group rosters against a real `pitwall-hub serve` behind a relay the test can
 * cut: a coach edits offline, the edit waits, the sync merges it with the admin's online edit and
 * the report names the hub's edit; a driver's edit is refused in a sentence with nothing kept.
 */
const refused = async (p: Promise<unknown>, code: string, sentence: RegExp) => {
  await assert.rejects(p, (err: Error & { code?: string }) => {
    assert.equal(err.code, code, err.message);
    assert.match(err.message, sentence);
    return true;
  });
};

const rosterOf = (s: HubRostersStatus, groupId: string): HubRoster => {
  const r = s.rosters.find((x) => x.groupId === groupId);
  assert.ok(r, `no roster of ${groupId} in ${JSON.stringify(s.rosters.map((x) => x.name))}`);
  return r;
};
const members = (r: HubRoster) => r.members.map((m) => `${m.name}:${m.role}`).sort();

describe('group rosters through the companion against a real pitwall-hub', { timeout: 180_000 }, () => {
  const scratch = scratchDir('hub-rosters-api');
  let seeded: SeededHubBehindRelay;
  const open: Companion[] = [];
  const companion = async (name: string, token: string): Promise<Companion> => {
    const c = createCompanion({ dataDir: join(scratch.dir, name), mdns: false, serial: false, hotplug: false, hubTimeoutMs: 3000, hubRetryMs: 60_000, events: () => undefined });
    open.push(c);
    await c.handlers['hub:connect']({ url: seeded.relay.url, token });
    return c;
  };
  before(async () => {
    seeded = await hubBehindRelay(scratch.dir);
  });
  after(async () => {
    for (const c of open) await c.close();
    await seeded?.stop();
    scratch.cleanup();
  });

  test('offline edit waits, merges with the admin’s online edit, the report names the hub’s; a driver is refused', async () => {
    const { red, may } = seeded.groups;
    // The admin's laptop is given every group's roster, and may edit each.
    const admin = await companion('admin', seeded.tokens.admin);
    let s = await admin.handlers['hub:rosters-sync']({});
    assert.deepEqual(members(rosterOf(s, red)), ['Ana Ruiz:driver', 'Ben Okafor:driver']);
    assert.ok(rosterOf(s, red).editable && rosterOf(s, may).editable);
    const id = (name: string) => [...rosterOf(s, red).members, ...rosterOf(s, may).members].find((m) => m.name === name)!.memberId;
    const [ana, ben, cleo] = [id('Ana Ruiz'), id('Ben Okafor'), id('Cleo Martin')];
    const online = new HubClient(seeded.hub.url, { token: seeded.tokens.admin });
    await online.addGroupMember(red, ben, 'coach');

    // Ben, now Team Red's coach, pulls its roster; he is not in Class of May and is given no roster of it.
    const coach = await companion('ben', seeded.tokens.ben);
    s = await coach.handlers['hub:rosters-sync']({});
    assert.deepEqual(s.rosters.map((r) => [r.groupId, r.editable, r.pending]), [[red, true, false]]);
    assert.deepEqual(members(rosterOf(s, red)), ['Ana Ruiz:driver', 'Ben Okafor:coach']);
    assert.deepEqual(rosterOf(s, red).merged, [], 'a first pull merges into nothing here: nothing from elsewhere to report');
    assert.match(s.lastSync ?? '', /pulled 1; 0 changes from elsewhere merged\.$/);

    // At the track, no network: he adds Cleo. The edit waits, marked; a sync says why it did not go and keeps it.
    await seeded.relay.close();
    s = await coach.handlers['hub:roster-edit']({ groupId: red, edit: { kind: 'add', memberId: cleo, role: 'driver' } });
    assert.equal(rosterOf(s, red).pending, true);
    assert.deepEqual(members(rosterOf(s, red)), ['Ana Ruiz:driver', 'Ben Okafor:coach', 'null:driver'], 'a member this laptop never saw has no name yet');
    await refused(coach.handlers['hub:rosters-sync']({}), 'unreachable', /cannot be reached.*edits made here stay, marked not pushed yet/);
    s = await coach.handlers['hub:rosters']({});
    assert.equal(rosterOf(s, red).pending, true);
    assert.match(s.lastSync ?? '', /cannot be reached/);

    // Meanwhile the admin, online, makes Ana a coach of Team Red.
    await online.addGroupMember(red, ana, 'coach');

    // Back online: the sync pushes Ben's edit and merges the hub's; the report names the hub's edit, not his own.
    await seeded.relay.open();
    s = await coach.handlers['hub:rosters-sync']({});
    const r = rosterOf(s, red);
    assert.equal(r.pending, false);
    assert.deepEqual(members(r), ['Ana Ruiz:coach', 'Ben Okafor:coach', 'Cleo Martin:driver']);
    assert.match(s.lastSync ?? '', /^Pushed 1 roster edited here, pulled 1; 1 change from elsewhere merged\.$/);
    // The one change from elsewhere this laptop has merged (the first pull reported none).
    assert.equal(r.merged.length, 1, JSON.stringify(r.merged));
    assert.ok(!r.merged.some((m) => m.memberId === cleo), 'his own edit is not reported as coming from elsewhere');
    assert.match(r.merged[0]!.sentence, /^The hub \(an edit made online\) made Ana Ruiz coach \(was driver\) \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)\.$/);
    assert.deepEqual([r.merged[0]!.change, r.merged[0]!.memberId, r.merged[0]!.by], ['role', ana, 'hub']);

    // The hub took Ben's offline add: Cleo's own companion now lists Team Red.
    const cleoLaptop = await companion('cleo', seeded.tokens.cleo);
    const cs = await cleoLaptop.handlers['hub:status']({});
    assert.deepEqual(cs.groups.map((g) => [g.name, g.role]).sort(), [['Class of May', 'analyst'], ['Team Red', 'driver']]);
    // The admin's laptop sees Ben's add as coming from Ben's laptop.
    s = await admin.handlers['hub:rosters-sync']({});
    assert.ok(rosterOf(s, red).merged.some((m) => /^Laptop \S+ added Cleo Martin as driver/.test(m.sentence)), JSON.stringify(rosterOf(s, red).merged));

    // Ana, a driver of Class of May, is offered no edit there, and one asked anyway is refused with nothing kept.
    const driver = await companion('ana', seeded.tokens.ana);
    s = await driver.handlers['hub:rosters-sync']({});
    const mayBefore = rosterOf(s, may);
    assert.equal(mayBefore.editable, false);
    await refused(driver.handlers['hub:roster-edit']({ groupId: may, edit: { kind: 'remove', memberId: cleo } }), 'forbidden', /You are a driver in Class of May: only the academy’s admin or the group’s coaches change its roster\. Nothing was changed\./);
    s = await driver.handlers['hub:rosters']({});
    assert.deepEqual(rosterOf(s, may), mayBefore, 'nothing pending, nothing changed');
    s = await driver.handlers['hub:rosters-sync']({});
    assert.deepEqual(members(rosterOf(s, may)), ['Ana Ruiz:driver', 'Cleo Martin:analyst'], 'the hub never saw an edit');
  });
});
