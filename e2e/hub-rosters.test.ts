import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HubRoutes, rosterPull } from '@pitwall/protocol';
import { HubClient } from '@pitwall/protocol/node';
import { hubBehindRelay, type SeededHubBehindRelay } from '../main/test/helpers/seeded-hub.js';
import { SHOTS, storedSessionsPage } from './stored-sessions-page.js';

/**
 * The Hub screen's Group rosters in Chromium on a browser-mode companion and a real
 * `pitwall-hub serve` behind a relay the test can cut: a coach edits Team Red offline, the edits
 * wait marked, the sync merges them with the admin's online add, and the card says what came from
 * the hub; the coach changes it back with one more edit.
 */
describe('hub screen: group rosters', { timeout: 240_000 }, () => {
  const h = storedSessionsPage('hub-rosters', () => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-e2e-hub-rosters-'));
  let seeded: SeededHubBehindRelay;
  before(async () => {
    seeded = await hubBehindRelay(join(dir, 'hub'));
  });
  after(async () => {
    await seeded?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a coach edits offline, syncs, sees the hub’s edit merged and changes it', async () => {
    const { page, companion, pageErrors } = h;
    const shot = async (name: string) => {
      await page.getByTestId('hub-rosters').evaluate((el) => el.scrollIntoView({ block: 'end' }));
      await page.screenshot({ path: join(SHOTS, `hub-rosters-${name}.png`), fullPage: true });
    };
    const { red } = seeded.groups;
    // The admin, online, makes Ben coach of Team Red (member ids from the admin's own pull of the rosters).
    const admin = new HubClient(seeded.hub.url, { token: seeded.tokens.admin });
    const pulled = rosterPull.parse(await admin.call(HubRoutes.rosterPull, undefined, rosterPull, {}, { after: '0', limit: '100' }));
    const id = (name: string) => Object.entries(Object.assign({}, ...pulled.rosters.map((r) => r.names)) as Record<string, string>).find(([, n]) => n === name)![0];
    const [ana, ben, cleo] = [id('Ana Ruiz'), id('Ben Okafor'), id('Cleo Martin')];
    await admin.addGroupMember(red, ben, 'coach');

    await page.goto(companion.ready.url);
    await page.getByTestId('nav-hub').click();
    await page.getByTestId('hub-url').fill(seeded.relay.url);
    await page.getByTestId('hub-token').fill(seeded.tokens.ben);
    await page.getByTestId('hub-connect').click();
    await page.getByTestId('hub-rosters').waitFor();
    assert.match(await page.getByTestId('hub-rosters').innerText(), /No roster is held here yet/);
    await page.getByTestId('hub-rosters-sync').click();
    const card = page.locator(`[data-testid=hub-roster][data-group="${red}"]`);
    await card.waitFor();
    const member = (m: string) => card.locator(`[data-testid=hub-roster-member][data-member="${m}"]`);
    assert.match(await member(ben).innerText(), /Ben Okafor/);
    assert.equal(await member(ben).getByTestId('hub-roster-role').inputValue(), 'coach');
    assert.equal(await page.getByTestId('hub-roster').count(), 1, 'Ben is given the roster of his own group only');
    assert.equal(await card.getByTestId('hub-roster-merged').count(), 0, 'a first pull merges into nothing: nothing listed as merged from elsewhere');
    await shot('1-synced');

    // At the track, no network: Ana becomes an analyst, the group is renamed. Both wait, marked.
    await seeded.relay.close();
    await member(ana).getByTestId('hub-roster-role').selectOption('analyst');
    await card.getByTestId('hub-roster-pending').waitFor();
    await card.getByTestId('hub-roster-rename').click();
    await card.getByTestId('hub-roster-new-name').fill('Team Red · May race');
    await card.getByTestId('hub-roster-rename-save').click();
    await card.getByTestId('hub-roster-name').getByText('Team Red · May race').waitFor();
    await page.getByTestId('hub-rosters-sync').click();
    await page.getByTestId('hub-rosters-error').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('hub-rosters-error').innerText(), /cannot be reached.*edits made here stay, marked not pushed yet/s);
    assert.equal(await card.getAttribute('data-pending'), 'true');
    // Each edit is listed, oldest first, as not pushed yet.
    assert.deepEqual(
      (await card.getByTestId('hub-roster-unpushed-edit').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').replace(/ \d\d:\d\d( [AP]M)? /, ' ')),
      ['Made Ana Ruiz analyst not pushed yet', 'Renamed the group “Team Red · May race” not pushed yet'],
    );
    assert.equal(await card.getByTestId('hub-roster-pending').innerText(), '2 edits here not pushed yet');
    await shot('2-offline-pending');

    // Meanwhile the admin, online, adds Cleo. Back online, the sync pushes Ben's edits and merges the admin's.
    await admin.addGroupMember(red, cleo, 'driver');
    await seeded.relay.open();
    await page.getByTestId('hub-rosters-sync').click();
    await page.getByTestId('hub-rosters-last-sync').getByText(/^Pushed 1 roster edited here, pulled 1; 1 change from elsewhere merged\.$/).waitFor({ timeout: 30_000 });
    assert.equal(await card.getAttribute('data-pending'), 'false');
    assert.equal(await member(ana).getByTestId('hub-roster-role').inputValue(), 'analyst');
    assert.equal(await member(cleo).getByTestId('hub-roster-role').inputValue(), 'driver');
    assert.match(await card.getByTestId('hub-roster-merged').first().innerText(), /^The hub \(an edit made online\) added Cleo Martin as driver/);
    assert.equal(await card.getByTestId('hub-roster-merged').count(), 1, 'the one change from elsewhere');
    assert.equal(await card.getByTestId('hub-roster-unpushed-edit').count(), 0, 'the hub took both edits');
    await shot('3-merged');

    // He changes what was merged: Cleo is an analyst, pushed at the next sync.
    await member(cleo).getByTestId('hub-roster-role').selectOption('analyst');
    await card.getByTestId('hub-roster-pending').waitFor();
    assert.match(await card.getByTestId('hub-roster-unpushed-edit').innerText(), /^Made Cleo Martin analyst/);
    await page.getByTestId('hub-rosters-sync').click();
    await page.getByTestId('hub-rosters-last-sync').getByText(/^Pushed 1 roster edited here, pulled 1; 0 changes from elsewhere merged\.$/).waitFor({ timeout: 30_000 });
    assert.equal(await card.getAttribute('data-pending'), 'false');
    const hubRoster = rosterPull.parse(await admin.call(HubRoutes.rosterPull, undefined, rosterPull, {}, { after: '0', limit: '100' })).rosters.find((r) => r.groupId === red)!;
    assert.equal(hubRoster.roster.name?.value, 'Team Red · May race', 'the hub took the offline rename');
    assert.equal(hubRoster.roster.roles[cleo]?.value, 'analyst');
    await shot('4-changed');
    assert.deepEqual(pageErrors, []);
  });
});
