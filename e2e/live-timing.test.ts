import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { startSimUnit, type SimUnit } from '../testbed/sim-unit.js';
import { startCompanion, type Companion } from '../testbed/companion.js';
import { launchChromium } from './browser.js';

/**
 * Live timing in the unit panel: a sim unit drives the real Everland laps (AiM Solo, 10 Hz;
 * three sector lines) at 20x, and the panel shows what the unit's own timer says as a pit
 * wall would: the lap running, the delta to the best lap, last and best laps, sector times.
 */
const SHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));
const LAP_TIME = /^[12]:\d{2}\.\d{3}$/;
const SECONDS = (text: string) => {
  const m = /^(?:(\d+):)?(\d+\.\d+)$/.exec(text);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : NaN;
};

describe('live timing in the unit panel', { timeout: 180_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-timing-'));
  let unit: SimUnit;
  let companion: Companion;
  let chromium: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    unit = await startSimUnit({ dataDir: join(tmp, 'unit'), name: 'Timing Car 5', speed: 20 });
    companion = await startCompanion({ dataDir: join(tmp, 'companion'), addresses: [`127.0.0.1:${unit.ready.apiPort}`], serialPaths: [unit.ready.serialPath] });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  after(async () => {
    await chromium?.close();
    await companion?.stop();
    await unit?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('the lap running, delta to best (green faster, red slower), last and best laps, sector times', async () => {
    await page.goto(companion.ready.url);
    const card = page.locator(`[data-testid="device-card"][data-unit-id="${unit.ready.id}"]`);
    await card.getByTestId('link-usb').waitFor({ timeout: 20_000 });
    await card.click();
    const panel = page.getByTestId('unit-panel');
    await panel.getByTestId('pair-button').click();
    const dialog = page.getByTestId('pair-dialog');
    await dialog.getByTestId('pair-start').click();
    await dialog.getByTestId('pair-done').waitFor({ timeout: 20_000 });
    await dialog.getByTestId('pair-close').click();

    const timing = panel.getByTestId('live-timing');
    const text = async (id: string) => (await timing.getByTestId(id).innerText()).trim();
    // A lap completed: the last lap is shown, and a delta to it runs on the next lap.
    await page.waitForFunction(() => /\d:\d{2}\.\d{3}/.test(document.querySelector('[data-testid="timing-last"]')?.textContent ?? ''), null, { timeout: 60_000 });
    await page.waitForFunction(() => /^[+−]?\d+\.\d{2}$/.test(document.querySelector('[data-testid="timing-delta"]')?.textContent ?? ''), null, { timeout: 30_000 });
    const last = await text('timing-last');
    assert.match(last, LAP_TIME);
    assert.ok(SECONDS(last) > 130 && SECONDS(last) < 150, `an Everland lap: ${last}`);
    assert.match(await text('timing-best'), LAP_TIME);
    assert.ok(SECONDS(await text('timing-best')) <= SECONDS(last));

    // The lap clock runs.
    const c1 = SECONDS(await text('timing-current'));
    await page.waitForTimeout(600);
    const c2 = SECONDS(await text('timing-current'));
    assert.ok(c2 > c1, `the lap clock runs: ${c1} then ${c2}`);

    // Delta colour follows its sign.
    const delta = timing.getByTestId('timing-delta');
    const dText = (await delta.innerText()).trim();
    const cls = (await delta.getAttribute('class')) ?? '';
    if (dText.startsWith('−')) assert.match(cls, /is-faster/);
    else if (dText.startsWith('+')) assert.match(cls, /is-slower/);
    const colour = await delta.evaluate((el) => getComputedStyle(el).color);
    if (dText.startsWith('−')) assert.equal(colour, 'rgb(62, 207, 142)', 'green');
    if (dText.startsWith('+')) assert.equal(colour, 'rgb(255, 93, 108)', 'red');

    // Everland's three sectors: the last lap's splits add up to its time.
    const sectors = timing.getByTestId('timing-sectors');
    await sectors.waitFor();
    assert.equal(await sectors.locator('thead th').count(), 4);
    const lastSplits = (await sectors.getByTestId('sectors-last').locator('td').allInnerTexts()).map((s) => SECONDS(s.trim()));
    assert.equal(lastSplits.length, 3);
    const lastNow = SECONDS(await text('timing-last'));
    assert.ok(Math.abs(lastSplits.reduce((a, b) => a + b, 0) - lastNow) < 0.005, `sectors ${lastSplits} add up to ${lastNow}`);
    // On the lap in progress, a completed sector shows its split and the running one counts.
    await page.waitForFunction(() => /\d+\.\d{3}/.test(document.querySelector('[data-testid="sectors-current"] td')?.textContent ?? ''), null, { timeout: 30_000 });
    const current = await sectors.getByTestId('sectors-current').locator('td').allInnerTexts();
    assert.match(current[0]!.trim(), /^\d+\.\d{3}$/);
    assert.ok(SECONDS(current[0]!.trim()) > 40 && SECONDS(current[0]!.trim()) < 70, `Everland S1 ${current[0]}`);
    await timing.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'live-timing.png') });
    await timing.screenshot({ path: join(SHOTS, 'live-timing-panel.png') });
    assert.deepEqual(pageErrors, []);
  });
});
