import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { routeName, Routes } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../testbed/sim-unit.js';
import { pressSimButton } from '../testbed/sim-gpio.js';
import { startCompanion, type Companion } from '../testbed/companion.js';
import { startFakeUnit, type FakeUnit } from '../app/test/helpers/fake-unit-server.js';
import { launchChromium } from './browser.js';
import { unitInfo } from './unit-https.js';

/** Pairing from the UI: network (sim button pressed during the countdown) and USB; then a key change. */
const SHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));

describe('pairing in browser mode', { timeout: 120_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-pair-'));
  let netUnit: SimUnit;
  let usbUnit: SimUnit;
  let fake: FakeUnit | undefined;
  let companion: Companion;
  let chromium: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const pageErrors: string[] = [];
  const card = (id: string) => page.locator(`[data-testid="device-card"][data-unit-id="${id}"]`);

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [netUnit, usbUnit] = await Promise.all([
      startSimUnit({ dataDir: join(tmp, 'net-unit'), name: 'Kart 12 · Pit B' }),
      startSimUnit({ dataDir: join(tmp, 'usb-unit'), name: 'Academy Car 3' }),
    ]);
    companion = await startCompanion({
      dataDir: join(tmp, 'companion'),
      addresses: [`127.0.0.1:${netUnit.ready.apiPort}`, `127.0.0.1:${usbUnit.ready.apiPort}`],
      serialPaths: [usbUnit.ready.serialPath],
    });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(companion.ready.url);
    await card(netUnit.ready.id).waitFor({ timeout: 15_000 });
  });

  after(async () => {
    await chromium?.close();
    await companion?.stop();
    await fake?.close();
    await Promise.all([netUnit, usbUnit].map((u) => u?.stop()));
    rmSync(tmp, { recursive: true, force: true });
  });

  test('network pairing: "press the pairing button" with a countdown, then paired', async () => {
    const id = netUnit.ready.id;
    assert.equal(await card(id).getByTestId('pairing-badge').getAttribute('data-state'), 'unpaired');
    await card(id).click();
    const panel = page.getByTestId('unit-panel');
    await panel.getByTestId('pair-cta').waitFor();
    await page.screenshot({ path: join(SHOTS, 'pairing-unpaired.png') });
    await panel.getByTestId('pair-button').click();
    const dialog = page.getByTestId('pair-dialog');
    await dialog.waitFor();
    assert.equal(await dialog.getByTestId('via-usb').isDisabled(), true, 'no USB link: network only');
    assert.equal(await dialog.getByTestId('via-net').isChecked(), true);
    await page.screenshot({ path: join(SHOTS, 'pairing-dialog.png') });
    await dialog.getByTestId('pair-start').click();
    await dialog.getByTestId('pair-waiting').waitFor();
    await page.waitForTimeout(2200);
    const left = Number(await dialog.getByTestId('pair-countdown').textContent());
    assert.ok(left < 120 && left > 100, `countdown shows ${left}`);
    assert.match((await dialog.textContent()) ?? '', /Press the pairing button on the unit now/);
    // Both keys while waiting: the unit's as discovered and this computer's.
    await page.waitForFunction(() => !document.querySelector('[data-testid="pair-my-key"]')?.textContent?.includes('…'), null, { timeout: 5000 });
    assert.equal(await dialog.getByTestId('pair-unit-key').textContent(), (await unitInfo(netUnit.ready.apiPort)).fingerprint);
    assert.match((await dialog.getByTestId('pair-my-key').textContent()) ?? '', /^SHA256:/);
    await page.screenshot({ path: join(SHOTS, 'pairing-countdown.png') });
    await pressSimButton(join(tmp, 'net-unit'), 'pair');
    await dialog.getByTestId('pair-done').waitFor({ timeout: 10_000 });
    const info = await unitInfo(netUnit.ready.apiPort);
    assert.equal(await dialog.getByTestId('pair-unit-key').textContent(), info.fingerprint, 'the pinned key is shown');
    assert.match((await dialog.getByTestId('pair-my-key').textContent()) ?? '', /^SHA256:[A-Za-z0-9+/]{43}$/, 'and this computer\'s key');
    await page.screenshot({ path: join(SHOTS, 'pairing-done.png') });
    await dialog.getByTestId('pair-close').click();
    const badge = card(id).getByTestId('pairing-badge');
    await page.waitForFunction((el) => el?.getAttribute('data-state') === 'paired', await badge.elementHandle(), { timeout: 10_000 });
    assert.match((await badge.textContent()) ?? '', /Paired · owner/);
    await panel.getByTestId('live-speed').waitFor();
    await panel.getByTestId('operators').waitFor({ timeout: 10_000 });
    assert.equal(await panel.getByTestId('operator-row').count(), 1);
    await page.waitForTimeout(2500);
    await page.screenshot({ path: join(SHOTS, 'pairing-paired.png') });
  });

  test('USB pairing from the UI', async () => {
    const id = usbUnit.ready.id;
    await card(id).getByTestId('link-usb').waitFor({ timeout: 15_000 });
    await card(id).click();
    const panel = page.getByTestId('unit-panel');
    await panel.getByTestId('pair-button').click();
    const dialog = page.getByTestId('pair-dialog');
    assert.equal(await dialog.getByTestId('via-usb').isChecked(), true, 'USB is the default when connected');
    await dialog.getByTestId('role-staff').check();
    await dialog.getByTestId('pair-start').click();
    const error = dialog.getByTestId('pair-error');
    // A unit's first operator must be its owner: the unit refuses staff and says so.
    await error.waitFor({ timeout: 10_000 });
    assert.match((await error.textContent()) ?? '', /owner/);
    await dialog.getByText('Try again').click();
    await dialog.getByTestId('role-owner').check();
    await dialog.getByTestId('pair-start').click();
    await dialog.getByTestId('pair-done').waitFor({ timeout: 10_000 });
    await dialog.getByTestId('pair-close').click();
    await page.waitForFunction((el) => el?.getAttribute('data-state') === 'paired', await card(id).getByTestId('pairing-badge').elementHandle(), { timeout: 10_000 });
    await page.screenshot({ path: join(SHOTS, 'pairing-usb.png') });
  });

  test('key change: another key at the paired unit address shows the red warning with both fingerprints', async () => {
    const id = netUnit.ready.id;
    const pinned = (await unitInfo(netUnit.ready.apiPort)).fingerprint;
    const port = netUnit.ready.apiPort;
    await netUnit.stop();
    fake = await startFakeUnit({ port, info: { id, name: 'Kart 12 · Pit B', model: 'PW-1 (sim)', firmware: { version: '0.1.0', commit: 'unknown' }, apiVersion: 1 } });
    await card(id).click();
    const warning = page.getByTestId('key-warning');
    await warning.waitFor({ timeout: 15_000 });
    assert.equal(await warning.getByTestId('fp-expected').textContent(), pinned);
    assert.equal(await warning.getByTestId('fp-presented').textContent(), fake.fingerprint);
    assert.equal(await card(id).getByTestId('pairing-badge').getAttribute('data-state'), 'key-changed');
    assert.equal(await page.getByTestId('live-speed').count(), 0, 'no live data from an unproven unit');
    await page.screenshot({ path: join(SHOTS, 'pairing-key-changed.png') });
    assert.deepEqual(fake.requests.filter((r) => r !== routeName(Routes.info) && r !== routeName(Routes.pairingWindow)), []);
  });

  test('no page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
