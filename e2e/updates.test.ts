import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { pairOverUsb, startCompanion, type Companion } from '../testbed/companion.js';
import { startSimUnit, type SimUnit } from '../testbed/sim-unit.js';
import { testVendorKey } from '../testbed/vendor-test-key.js';
import { makeBundle } from '../device-firmware-ts/test/helpers/bundles.js';

/**
 * The Updates screen in system Chromium against the companion in browser mode and three real sim
 * units paired over their USB serial ends: two pin the vendor key the bundle is signed with, one
 * pins another. Open a bundle, see what it is and that it verifies, push it to all three.
 */
const SHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-updates-'));
const companionDir = join(tmp, 'companion');
const units: SimUnit[] = [];
let companion: Companion;
let chromium: { context: BrowserContext; close(): Promise<void> };
let page: Page;
let bundlePath: string;
const pageErrors: string[] = [];

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const vendor = await testVendorKey(join(tmp, 'vendor'));
  const other = await testVendorKey(join(tmp, 'other'));
  for (const [i, name] of ['Academy Car 7', 'Dealer Demo 2', 'Spare Unit 4'].entries()) {
    units.push(await startSimUnit({ dataDir: join(tmp, `unit-${i}`), name, vendorKeysDir: i === 2 ? other.keysDir : vendor.keysDir }));
  }
  const addresses = units.map((u) => `127.0.0.1:${u.ready.apiPort}`);
  for (const u of units) await pairOverUsb(u, companionDir);
  // The companion knows the vendor's public key, as a dealer's laptop is set up with it.
  mkdirSync(join(companionDir, 'vendor-keys'), { recursive: true });
  for (const f of readdirSync(vendor.keysDir)) copyFileSync(join(vendor.keysDir, f), join(companionDir, 'vendor-keys', f));
  bundlePath = join(tmp, 'pitwall-runtime-0.2.0.pwb');
  writeFileSync(bundlePath, await makeBundle({ dir: tmp, tag: 'e2e', version: '0.2.0', minReplaceVersion: '0.0.1', models: ['PW-1-sim'], key: vendor.key, sizes: [3_000_000, 2_000, 1_500_000] }));
  companion = await startCompanion({ dataDir: companionDir, addresses });
  chromium = await launchChromium();
  page = await chromium.context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

after(async () => {
  await chromium?.close();
  await companion?.stop();
  await Promise.all(units.map((u) => u.stop()));
  rmSync(tmp, { recursive: true, force: true });
});

test('Updates: open a bundle (version, signer, models, verified), push it to three units with progress, see each installed or refused with why', { timeout: 150_000 }, async () => {
  await page.goto(companion.ready.url);
  await page.getByTestId('nav-updates').click();
  await page.getByTestId('update-unit').nth(2).waitFor({ timeout: 20_000 }).catch(async (err: Error) => {
    await page.screenshot({ path: join(SHOTS, 'updates-no-units.png') });
    throw err;
  });
  await page.getByTestId('bundle-path').fill(join(tmp, 'missing.pwb'));
  await page.getByTestId('bundle-open').click();
  await page.getByTestId('update-error').getByText(/no bundle file at/).waitFor();

  await page.getByTestId('bundle-path').fill(bundlePath);
  await page.getByTestId('bundle-open').click();
  const facts = page.getByTestId('bundle-facts');
  await facts.waitFor();
  const text = (await facts.textContent()) ?? '';
  assert.match(text, /0\.2\.0/);
  assert.match(text, /PW-1-sim/);
  assert.match(await page.getByTestId('bundle-verified').textContent() ?? '', /^verified against/);

  const rows = page.getByTestId('update-unit');
  await rows.nth(2).waitFor();
  for (let i = 0; i < 3; i++) await rows.nth(i).locator('input[type=checkbox]').check();
  await page.screenshot({ path: join(SHOTS, 'updates-ready.png') });
  await page.getByTestId('update-push').click();
  await page.getByTestId('update-overall').waitFor({ timeout: 30_000 });
  const stateOf = (name: string) => page.locator(`[data-testid=update-unit][data-unit="${name}"] [data-testid=update-state]`);
  await stateOf('Academy Car 7').getByText(/installed 0\.2\.0; rebooting into it/).waitFor({ timeout: 90_000 });
  await stateOf('Dealer Demo 2').getByText(/installed 0\.2\.0; rebooting into it/).waitFor({ timeout: 30_000 });
  await stateOf('Spare Unit 4').getByText(/refused/).waitFor({ timeout: 30_000 });
  assert.match((await stateOf('Spare Unit 4').textContent()) ?? '', /key/i);
  await page.getByTestId('update-overall').getByText('Overall 100%').waitFor();
  await page.screenshot({ path: join(SHOTS, 'updates-pushed.png') });
  assert.deepEqual(pageErrors, []);
});
