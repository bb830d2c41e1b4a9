import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { pairOverUsb, runCli, startCompanion, type Companion } from '../testbed/companion.js';
import { startSimUnit, type SimUnit } from '../testbed/sim-unit.js';
import { testVendorKey, type TestVendorKey } from '../testbed/vendor-test-key.js';
import { simGpioCommand } from '../testbed/sim-gpio.js';
import { licensePayloadFor, revocationListFor, writeLicenseFile, writeRevocationFile } from '../app/test/helpers/license-files.js';

/**
 * Licences in system Chromium against the companion in browser mode and three real sim units
 * enforcing licences, each paired as owner over USB: Academy Car 7 fully licensed, Dealer Demo 2
 * without a licence (its support switch turned on, then support turned off from the panel; then a
 * unit-bound licence with sectors only, expiring soon, installed through the dialog), Spare Unit 4
 * licensed but with its clock set back (the sim board's clock, after it had seen the real time),
 * then revoked by a list the companion carries; and Bench Sim 5, a sim that does not enforce.
 */
const SHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-licenses-'));
const companionDir = join(tmp, 'companion');
const NAMES = ['Academy Car 7', 'Dealer Demo 2', 'Spare Unit 4', 'Bench Sim 5'] as const;
const units: SimUnit[] = [];
let vendor: TestVendorKey;
let companion: Companion;
let chromium: { context: BrowserContext; close(): Promise<void> };
let page: Page;
const pageErrors: string[] = [];
const DAY = 86_400_000;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  vendor = await testVendorKey(join(tmp, 'vendor'));
  const config = join(tmp, 'unit.json');
  writeFileSync(config, JSON.stringify({ sim: { licenseEnforced: true } }));
  // Dealer Demo 2 has a support relay (a closed port: the tunnel keeps retrying), so its support switch turns support on.
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(tmp, 'relay_key')]);
  const hostKey = readFileSync(join(tmp, 'relay_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  const relay = { host: '127.0.0.1', port: 1, user: 'nobody', hostKey, listenPort: 20001 };
  const supportConfig = join(tmp, 'unit-support.json');
  writeFileSync(supportConfig, JSON.stringify({ sim: { licenseEnforced: true }, support: { relay, exportRoot: join(tmp, 'export-root'), exportPort: 30000 + Math.floor(Math.random() * 10000) } }));
  for (const [i, name] of NAMES.entries()) {
    const extraArgs = name === 'Bench Sim 5' ? [] : ['--config', name === 'Dealer Demo 2' ? supportConfig : config];
    units.push(await startSimUnit({ dataDir: join(tmp, `unit-${i}`), name, vendorKeysDir: vendor.keysDir, extraArgs }));
  }
  // Someone sets Spare Unit 4's clock three days back: the unit has seen later times.
  assert.match(await simGpioCommand(join(tmp, 'unit-2'), `clock-offset ${-3 * DAY}`), /ok/i);
  const addresses = units.map((u) => `127.0.0.1:${u.ready.apiPort}`);
  for (const u of units) await pairOverUsb(u, companionDir);
  mkdirSync(join(companionDir, 'vendor-keys'), { recursive: true });
  for (const f of readdirSync(vendor.keysDir)) copyFileSync(join(vendor.keysDir, f), join(companionDir, 'vendor-keys', f));
  const all = ['live-timing', 'sectors', 'imu', 'team-sync', 'support-mode'] as const;
  const academy = await writeLicenseFile(tmp, 'academy.json', vendor.key, licensePayloadFor(vendor.key, { licenseId: 'academy-2027', features: [...all], scope: { model: 'PW-1-sim' }, ttlDays: 400, days: 200 }));
  const spare = await writeLicenseFile(tmp, 'spare.json', vendor.key, licensePayloadFor(vendor.key, { licenseId: 'spare-pool', features: [...all], scope: { model: 'PW-1-sim' }, ttlDays: 400, days: 90 }));
  for (const [file, unit] of [[academy, NAMES[0]], [spare, NAMES[2]]] as const) {
    const r = await runCli(['license', 'install', file, unit, '--address', addresses[NAMES.indexOf(unit)]!, '--no-mdns', '--data-dir', companionDir]);
    assert.equal(r.code, 0, r.out + r.err);
  }
  companion = await startCompanion({ dataDir: companionDir, addresses });
  chromium = await launchChromium();
  page = await chromium.context.newPage();
  await page.setViewportSize({ width: 1440, height: 1000 });
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

after(async () => {
  await chromium?.close();
  await companion?.stop();
  await Promise.all(units.map((u) => u.stop()));
  rmSync(tmp, { recursive: true, force: true });
});

const card = (name: string) => page.locator('[data-testid=device-card]').filter({ has: page.getByTestId('unit-name').getByText(name, { exact: true }) });

test('Licences: state on the cards, gated controls greyed with why, a dealer installs through the dialog, the fleet view most urgent first', { timeout: 180_000 }, async () => {
  await page.goto(companion.ready.url);
  await card(NAMES[0]).getByTestId('license-chip').getByText(/licence active · \d+ days left/).waitFor({ timeout: 30_000 }).catch(async (err: Error) => {
    await page.screenshot({ path: join(SHOTS, 'licenses-no-state.png') });
    throw new Error(`${err.message}\npage errors: ${pageErrors.join('; ')}`);
  });
  await card(NAMES[1]).getByTestId('license-chip').getByText('no licence').waitFor({ timeout: 30_000 });
  await card(NAMES[2]).getByTestId('license-tamper-chip').waitFor({ timeout: 30_000 });
  await card(NAMES[3]).getByTestId('license-chip').getByText('licensing not enforced (simulator)').waitFor({ timeout: 30_000 });

  // Bench Sim 5 does not enforce: said so, not "no licence", and nothing greyed.
  const panel = page.getByTestId('unit-panel');
  await card(NAMES[3]).click();
  await panel.getByTestId('license-state').getByText('licensing not enforced (simulator)').waitFor();
  await panel.getByTestId('live-speed').waitFor();
  assert.equal(await panel.getByTestId('feature-gated').count(), 0);
  await panel.getByTestId('license-section').screenshot({ path: join(SHOTS, 'licenses-not-enforced-section.png') });

  // Dealer Demo 2 enforces and has no licence: live timing greyed, and of support only turning it on.
  await card(NAMES[1]).click();
  await panel.getByTestId('license-state').getByText('no licence').waitFor();
  assert.match((await panel.getByTestId('license-reason').textContent()) ?? '', /no licence/i);
  await panel.locator('[data-feature=live-timing] [data-testid=feature-gated-why]').getByText('Live position and timing unavailable: no licence installed: the unit refuses live-timing').waitFor();
  const support = panel.getByTestId('support-section');
  await support.waitFor({ timeout: 15_000 });
  // Someone flips the unit's support switch (never gated): support is on, and turning it off from the panel must work.
  assert.match(await simGpioCommand(join(tmp, 'unit-1'), 'switch support on'), /ok/i);
  await page.waitForFunction(() => document.querySelector('[data-testid="support-section"]')?.getAttribute('data-on') === 'true', null, { timeout: 20_000 });
  await support.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'licenses-support-on-unlicensed.png') });
  await support.getByTestId('support-off').click({ timeout: 5000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="support-section"]')?.getAttribute('data-on') === 'false', null, { timeout: 15_000 });
  assert.equal(await support.getByTestId('support-error').count(), 0);
  await support.locator('[data-feature=support-mode] [data-testid=feature-gated-why]').getByText('Turning support on unavailable: no licence installed: the unit refuses support-mode').waitFor({ timeout: 15_000 });
  assert.equal(await support.locator('[data-feature=support-mode] .feature-gated-body [data-testid=support-on]').count(), 1, 'the on button is inside the greyed part');
  await support.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'licenses-support-off-unlicensed.png') });

  // The dealer installs a licence bound to this unit, choosing Academy Car 7 too: that unit refuses it.
  const demoId = (await panel.getAttribute('data-unit-id'))!;
  const demoFile = await writeLicenseFile(tmp, 'demo.json', vendor.key, licensePayloadFor(vendor.key, { licenseId: 'demo-unit-2', scope: { unitId: demoId }, features: ['sectors'], ttlDays: 400, days: 12, graceDays: 7 }));
  await panel.getByTestId('license-install-open').click();
  const dialog = page.getByTestId('license-dialog');
  await dialog.getByTestId('license-path').fill(join(tmp, 'nope.json'));
  await dialog.getByTestId('license-open').click();
  await dialog.getByTestId('license-dialog-error').getByText(/no licence file at/).waitFor();
  await dialog.getByTestId('license-path').fill(demoFile);
  await dialog.getByTestId('license-open').click();
  await dialog.getByTestId('license-file-facts').waitFor();
  assert.equal(await dialog.getByTestId('license-file-id').textContent(), 'demo-unit-2');
  assert.equal(await dialog.getByTestId('license-file-scope').textContent(), `unit ${demoId}`);
  assert.match((await dialog.getByTestId('license-file-verified').textContent()) ?? '', /^verified against/);
  await dialog.locator(`[data-testid=license-unit][data-unit="${NAMES[0]}"] input[type=checkbox]`).check();
  await dialog.getByTestId('license-install').click();
  const result = (name: string) => dialog.locator(`[data-testid=license-unit][data-unit="${name}"] [data-testid=license-result]`);
  await result(NAMES[1]).getByText(/installed: licence active/).waitFor({ timeout: 30_000 });
  await result(NAMES[0]).getByText(/refused: .*(another unit|bound)/i).waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(SHOTS, 'licenses-install-dialog.png') });
  await dialog.getByRole('button', { name: 'Done' }).click();

  // Now sectors only: live timing and support stay greyed, with the licence's own reason; a click reaches nothing.
  await panel.getByTestId('license-state').getByText(/licence active/).waitFor();
  assert.match((await panel.getByTestId('license-days').textContent()) ?? '', /1[89] days left/);
  await panel.locator('[data-feature=live-timing] [data-testid=feature-gated-why]').getByText('Live position and timing unavailable: licence does not include live-timing').waitFor();
  await panel.locator('[data-feature=support-mode] [data-testid=feature-gated-why]').getByText('Turning support on unavailable: licence does not include support-mode').waitFor();
  assert.equal(await panel.locator('[data-feature=live-timing] .feature-gated-body').evaluate((el) => (el as HTMLElement).inert), true);
  await panel.getByTestId('license-section').screenshot({ path: join(SHOTS, 'licenses-unit-panel-section.png') });
  await panel.locator('[data-feature=live-timing]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'licenses-unit-panel-gated.png') });
  await card(NAMES[1]).getByTestId('license-chip').getByText(/licence active · 1[89] days left/).waitFor();

  // Academy Car 7 has every feature: nothing greyed.
  await card(NAMES[0]).click();
  await panel.getByTestId('license-state').getByText(/licence active/).waitFor();
  assert.equal(await panel.getByTestId('feature-gated').count(), 0);
  // Spare Unit 4: the tamper warning in its panel.
  await card(NAMES[2]).click();
  await panel.getByTestId('license-tamper').getByText(/found its clock set back/).waitFor();
  await page.screenshot({ path: join(SHOTS, 'licenses-devices-cards.png') });

  // The fleet view: a revocation list carried to the units revokes Spare Unit 4; the most urgent first.
  const list = await writeRevocationFile(tmp, 'revocations-3.json', vendor.key, revocationListFor(vendor.key, 3, ['spare-pool']));
  await page.getByTestId('nav-licenses').click();
  await page.getByTestId('revocations-path').fill(list);
  await page.getByTestId('revocations-import').click();
  await page.getByTestId('revocations-held').getByText(/Carrying list #3 \(1 revoked/).waitFor();
  const older = await writeRevocationFile(tmp, 'revocations-2.json', vendor.key, revocationListFor(vendor.key, 2, []));
  await page.getByTestId('revocations-path').fill(older);
  await page.getByTestId('revocations-import').click();
  await page.getByTestId('licenses-error').getByText(/revocation list 2 is older than list 3/).waitFor();
  await page.getByTestId('licenses-refresh').click();
  const rows = page.getByTestId('license-row');
  await page.locator(`[data-testid=license-row][data-unit="${NAMES[2]}"][data-state=revoked]`).waitFor({ timeout: 30_000 });
  assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-unit'))), [NAMES[2], NAMES[3], NAMES[1], NAMES[0]]);
  assert.match((await page.locator(`[data-testid=license-row][data-unit="${NAMES[1]}"]`).getAttribute('class')) ?? '', /is-expiring/);
  await page.getByTestId('licenses-refresh').getByText('Ask units now').waitFor();
  await page.screenshot({ path: join(SHOTS, 'licenses-fleet.png') });
  assert.deepEqual(pageErrors, []);
});
