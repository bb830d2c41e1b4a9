import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startHubProcess, type HubProcess } from '../hub/test/helpers/hub-process.js';
import { startDealerHub } from '../main/test/helpers/dealer-hub.js';
import { HubRelay, hostPort } from '../main/test/helpers/seeded-hub.js';
import { pairOverUsb, startCompanion, type Companion } from '../testbed/companion.js';
import { startSimUnit, type SimUnit } from '../testbed/sim-unit.js';
import { launchChromium } from './browser.js';
import { SHOTS } from './stored-sessions-page.js';

/**
 * Registering units from the Hub screen in Chromium: a browser-mode companion with two real sim
 * units paired over USB, a real `pitwall-hub serve` behind a relay the test can cut. A claim
 * code checked as typed, a live registration into the academy, the code refused the second
 * time, challenges fetched for the track day, a unit registered while the hub is away and its
 * request sent when the hub is back.
 */
describe('hub screen: units on this hub', { timeout: 300_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-hub-registration-'));
  const companionDir = join(tmp, 'companion');
  const units: SimUnit[] = [];
  const pageErrors: string[] = [];
  let hub: HubProcess;
  let impostor: HubProcess | undefined;
  let relay: HubRelay;
  let companion: Companion;
  let page: Page;
  let closeChromium: (() => Promise<void>) | undefined;
  let coachToken: string;
  let claimCode: string;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    units.push(...(await Promise.all(['Academy Car 1', 'Academy Car 2'].map((name, i) => startSimUnit({ dataDir: join(tmp, `car-${i + 1}`), name })))));
    for (const u of units) await pairOverUsb(u, companionDir);
    ({ hub, coachToken, claimCode } = await startDealerHub(join(tmp, 'hub')));
    relay = new HubRelay(hostPort(hub.url));
    await relay.open();
    companion = await startCompanion({ dataDir: companionDir, addresses: units.map((u) => `127.0.0.1:${u.ready.apiPort}`) });
    const chromium = await launchChromium();
    closeChromium = () => chromium.close();
    page = await chromium.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });
  after(async () => {
    await closeChromium?.();
    await companion?.stop();
    await relay?.close();
    await impostor?.stop();
    await hub?.stop();
    for (const u of units) await u.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `hub-registration-${name}.png`), fullPage: true });
  const row = (i: number) => page.locator(`[data-testid="hub-unit"][data-unit="${units[i]!.ready.id}"]`);
  const stateOf = async (i: number, state: string) => page.locator(`[data-testid="hub-unit"][data-unit="${units[i]!.ready.id}"][data-state="${state}"]`).waitFor({ timeout: 20_000 });

  test('a coach registers one unit live with a claim code, is refused the code again, and registers the other at the track without the hub', async () => {
    await page.goto(companion.ready.url);
    await page.getByTestId('nav-hub').click();
    await page.getByTestId('hub-url').fill(relay.url);
    await page.getByTestId('hub-token').fill(coachToken);
    await page.getByTestId('hub-connect').click();
    await page.getByTestId('hub-units').waitFor();
    // Both units paired and online (the companion probes their addresses).
    for (const i of [0, 1]) await row(i).getByTestId('hub-unit-register').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('hub-challenges-held').innerText(), /No forward challenge is held/);
    await shot('1-units');

    // The claim code is checked as it is typed: lower case is made upper, a wrong code says why and cannot be sent.
    await row(0).getByTestId('hub-unit-claim-code').fill('abcd-0000');
    await row(0).getByTestId('hub-unit-claim-code-problem').waitFor();
    assert.equal(await row(0).getByTestId('hub-unit-claim-code').inputValue(), 'ABCD-0000');
    assert.ok(await row(0).getByTestId('hub-unit-register').isDisabled());
    await shot('2-claim-code-invalid');

    await row(0).getByTestId('hub-unit-claim-code').fill(claimCode.toLowerCase().replaceAll('-', ''));
    assert.equal(await row(0).getByTestId('hub-unit-claim-code').inputValue(), claimCode);
    assert.equal(await row(0).getByTestId('hub-unit-claim-code-problem').count(), 0);
    await row(0).getByTestId('hub-unit-register').click();
    await stateOf(0, 'registered');
    assert.match(await row(0).getByTestId('hub-unit-line').innerText(), /owner Ridge Academy/);
    assert.match(await row(0).getByTestId('hub-unit-done').innerText(), /Academy Car 1 is registered with the hub \(owner Ridge Academy\) and holds its record/);

    // The same code for the second unit: refused, in a sentence, in its row.
    await row(1).getByTestId('hub-unit-claim-code').fill(claimCode);
    await row(1).getByTestId('hub-unit-register').click();
    await row(1).getByTestId('hub-unit-refusal').waitFor();
    assert.match(await row(1).getByTestId('hub-unit-refusal').innerText(), /already used for another unit.*ask the dealer for a new one/);
    assert.equal(await row(1).getAttribute('data-state'), 'not-registered');
    await shot('3-claim-code-used');

    // Another server in the hub's place (another key): refused before the unit signs anything; the connection shows both keys.
    const impostorDir = join(tmp, 'impostor');
    mkdirSync(impostorDir);
    impostor = await startHubProcess({ kind: 'sqlite', file: join(impostorDir, 'hub.sqlite') }, impostorDir, join(impostorDir, 'hub-key.pem'));
    relay.retarget(hostPort(impostor.url));
    await row(1).getByTestId('hub-unit-claim-code').fill('');
    await row(1).getByTestId('hub-unit-register').click();
    await page.getByTestId('hub-key-warning').waitFor();
    assert.match(await row(1).getByTestId('hub-unit-refusal').innerText(), /now shows the key SHA256:.*nothing was sent to it/);
    assert.equal(await row(1).getAttribute('data-state'), 'not-registered');
    await shot('4-hub-key-changed');
    relay.retarget(hostPort(hub.url));
    await page.getByTestId('hub-check').click();
    await page.getByTestId('hub-key-warning').waitFor({ state: 'detached' });

    // Before the track day, online: challenges for the units to register there.
    await page.getByTestId('hub-challenge-count').fill('2');
    await page.getByTestId('hub-fetch-challenges').click();
    await page.getByText('2 forward challenges held').waitFor();

    // At the track: the hub is out of reach; the unit signs, the request waits here.
    await relay.close();
    await row(1).getByTestId('hub-unit-claim-code').fill('');
    await row(1).getByTestId('hub-unit-register').click();
    await stateOf(1, 'waiting-forward');
    assert.match(await row(1).getByTestId('hub-unit-done').innerText(), /cannot be reached: Academy Car 2 signed its request, which waits here/);
    assert.match(await page.getByTestId('hub-challenges-held').innerText(), /^1 forward challenge held/);
    await shot('5-waiting-forward');

    // Still away: Send keeps it and says why.
    await page.getByTestId('hub-forward').click();
    await page.getByTestId('hub-units-error').waitFor();
    assert.match(await page.getByTestId('hub-units-error').innerText(), /cannot be reached/);
    assert.equal(await row(1).getAttribute('data-state'), 'waiting-forward');

    // Back online: sent, the record brought to the unit at hand.
    await relay.open();
    await page.getByTestId('hub-forward').click();
    await stateOf(1, 'registered');
    assert.match(await row(1).getByTestId('hub-unit-line').innerText(), /no owner organisation yet/);
    assert.equal(await page.getByTestId('hub-units-error').count(), 0);
    assert.equal(await page.getByTestId('hub-forward').count(), 0);
    await shot('6-forwarded');

    // What the window could send past the form: refused by the companion's contract, nothing done.
    const refusals = await page.evaluate(
      async ([unitId]) =>
        Promise.all(
          [{ unitId, claimCode: 'abcd-efgh-jkmn-pqrs' }, { unitId, claimCode: 'ABCD-EFGH-JKMN-PQR0' }, { unitId: '../../etc/passwd' }, { unitId, extra: 1 }].map(async (params) => {
            const r = await window.pitwall!.call('hub:register-unit', params as never);
            return r.ok ? 'accepted' : r.error.code;
          }),
        ),
      [units[0]!.ready.id],
    );
    assert.deepEqual(refusals, ['invalid-params', 'invalid-params', 'invalid-params', 'invalid-params']);
    assert.equal(await row(0).getAttribute('data-state'), 'registered');
    assert.deepEqual(pageErrors, []);
  });
});
