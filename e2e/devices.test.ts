import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { startSimUnit, type SimUnit } from '../testbed/sim-unit.js';
import { launchChromium } from './browser.js';
import { startCompanion, type Companion } from '../testbed/companion.js';
import { pressSimButton } from '../testbed/sim-gpio.js';
import { cliPair, unitInfo } from './unit-https.js';

/**
 * The companion in browser mode, driven in system Chromium: three simulated units on loopback
 * (real device runtime, real companion, real SQLite), added by address and over a serial pty.
 */
const SHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));
const XSS_NAME = '<img src=x onerror=alert(1)>';
const NAMES = ['Academy Car 7', 'Dealer Demo 2', XSS_NAME];

describe('companion in browser mode', { timeout: 120_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-'));
  const units: SimUnit[] = [];
  const firmware = new Map<string, string>();
  let companion: Companion;
  let chromium: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const started = await Promise.all(NAMES.map((name, i) => startSimUnit({ dataDir: join(tmp, `unit-${i}`), name, speed: 1 + i * 0.5 })));
    units.push(...started);
    for (const u of units) {
      const info = await unitInfo(u.ready.apiPort);
      firmware.set(info.id, info.firmware.version);
    }
    // Live data needs pairing: pair the second unit over the network with the CLI (button pressed first).
    await pressSimButton(join(tmp, 'unit-1'), 'pair');
    const paired = await cliPair(join(tmp, 'companion'), `127.0.0.1:${units[1]!.ready.apiPort}`, ['--via', 'net']);
    assert.equal(paired.code, 0, paired.out);
    companion = await startCompanion({
      dataDir: join(tmp, 'companion'),
      addresses: units.map((u) => `127.0.0.1:${u.ready.apiPort}`),
      serialPaths: [units[0]!.ready.serialPath],
    });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(msg.text()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  after(async () => {
    await chromium?.close();
    const code = await companion?.stop();
    await Promise.all(units.map((u) => u.stop()));
    rmSync(tmp, { recursive: true, force: true });
    assert.equal(code, 0, `pitwall serve should exit 0 on SIGTERM: ${companion?.output.join('')}`);
  });

  test('prints a 127.0.0.1 URL carrying the token only in the fragment', () => {
    assert.match(companion.ready.url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
  });

  test('shows the three units with their firmware versions', async () => {
    const response = await page.goto(companion.ready.url);
    const csp = response?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.ok(!page.url().includes('token'), `token left in the address bar: ${page.url()}`);
    const cards = page.getByTestId('device-card');
    await cards.nth(2).waitFor({ timeout: 15_000 });
    assert.equal(await cards.count(), 3);
    for (const u of units) {
      const card = page.locator(`[data-testid="device-card"][data-unit-id="${u.ready.id}"]`);
      await card.getByTestId('online-state').getByText('Online').waitFor({ timeout: 10_000 });
      assert.equal(await card.getByTestId('unit-firmware').textContent(), firmware.get(u.ready.id));
      assert.equal(await card.getByTestId('link-address').count(), 1);
    }
    const names = await page.getByTestId('unit-name').allTextContents();
    assert.deepEqual([...names].sort(), [...NAMES].sort());
    // The unit on a serial pty is one entry with two links.
    const first = page.locator(`[data-testid="device-card"][data-unit-id="${units[0]!.ready.id}"]`);
    await first.getByTestId('link-usb').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SHOTS, 'devices.png') });
  });

  test('a unit named with HTML shows as text and runs nothing', async () => {
    const xss = units[2]!.ready.id;
    const name = page.locator(`[data-testid="device-card"][data-unit-id="${xss}"] [data-testid="unit-name"]`);
    assert.equal(await name.textContent(), XSS_NAME);
    assert.equal(await page.locator('img').count(), 0);
    assert.deepEqual(dialogs, []);
  });

  test('opening a unit shows its live speed changing', async () => {
    const id = units[1]!.ready.id;
    await page.locator(`[data-testid="device-card"][data-unit-id="${id}"]`).click();
    const panel = page.getByTestId('unit-panel');
    await panel.waitFor();
    assert.equal(await panel.getAttribute('data-unit-id'), id);
    assert.equal(await panel.getByTestId('panel-firmware').evaluate((el) => el.firstChild?.textContent), firmware.get(id));
    const speed = panel.getByTestId('live-speed');
    const seen = new Set<string>();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && seen.size < 3) {
      const text = (await speed.textContent())?.trim() ?? '';
      if (/^\d+$/.test(text)) seen.add(text);
      await page.waitForTimeout(400);
    }
    assert.ok(seen.size >= 3, `speed did not change: saw ${[...seen].join(', ')}`);
    assert.match((await panel.getByTestId('live-sats').textContent()) ?? '', /^\d+$/);
    assert.match((await panel.getByTestId('live-position').textContent()) ?? '', /° [NS] .*° [EW]$/);
    await page.waitForTimeout(2500); // let the sparkline and track trace fill in
    await page.screenshot({ path: join(SHOTS, 'unit-panel.png') });
  });

  test('add by address: garbage is refused inline, an unreachable address gets the companion’s error', async () => {
    await page.getByTestId('add-address-button').click();
    const dialog = page.getByTestId('add-address-dialog');
    await dialog.waitFor();
    const input = dialog.getByTestId('address-input');
    await input.fill('not an address!');
    await dialog.getByTestId('address-submit').click();
    const inline = dialog.getByTestId('address-error');
    await inline.waitFor();
    assert.match((await inline.textContent()) ?? '', /no spaces/);
    await input.fill('unit@@:99999');
    await dialog.getByTestId('address-submit').click();
    assert.match((await inline.textContent()) ?? '', /host and a port|not a port/);
    await page.screenshot({ path: join(SHOTS, 'add-address-invalid.png') });

    await input.fill('127.0.0.1:1');
    await dialog.getByTestId('address-submit').click();
    const serverError = dialog.getByTestId('address-server-error');
    await serverError.waitFor({ timeout: 10_000 });
    assert.match((await serverError.textContent()) ?? '', /did not answer|not a Pitwall unit/);
    await page.screenshot({ path: join(SHOTS, 'add-address-unreachable.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('device-card').count(), 3);
  });

  test('a stopped unit is shown offline', async () => {
    const id = units[0]!.ready.id;
    await units[0]!.stop();
    const card = page.locator(`[data-testid="device-card"][data-unit-id="${id}"]`);
    await card.getByTestId('online-state').getByText(/Offline/).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SHOTS, 'unit-offline.png') });
  });

  test('the page threw no errors and logged none (no CSP violations)', () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(dialogs, []);
  });
});

describe('companion with no units', { timeout: 60_000 }, () => {
  test('shows the empty state with hints', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-empty-'));
    const companion = await startCompanion({ dataDir: join(tmp, 'companion') });
    const chromium = await launchChromium();
    try {
      const page = await chromium.context.newPage();
      await page.goto(companion.ready.url);
      const empty = page.getByTestId('empty-state');
      await empty.waitFor({ timeout: 10_000 });
      const text = (await empty.textContent()) ?? '';
      for (const hint of ['No units found yet', 'USB cable', 'Same Wi-Fi', 'Add by address']) assert.ok(text.includes(hint), hint);
      await page.screenshot({ path: join(SHOTS, 'empty.png') });
      // Without the token, the page says what to do instead of failing silently.
      const bare = await chromium.context.newPage();
      await bare.goto(companion.ready.url.split('#')[0]!);
      await bare.getByTestId('error-state').waitFor({ timeout: 10_000 });
      assert.match((await bare.getByTestId('error-state').textContent()) ?? '', /access token|printed/);
    } finally {
      await chromium.close();
      assert.equal(await companion.stop(), 0);
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
