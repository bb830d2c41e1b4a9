import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { loadTracks, openDatabase, SessionStore } from '@pitwall/app';
import { launchChromium } from './browser.js';
import { startCompanion, type Companion } from '../testbed/companion.js';
import { ridgeSession } from '../app/test/helpers/ridge-session.js';

/**
 * "Track: … change" on the Sessions screen, in browser mode on a real store: a session at Ridge
 * (warm-up on the 767 m layout, then the 3.85 km one) is re-timed on the short layout by hand,
 * then handed back to the track chooser.
 */
const SHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));

describe('sessions screen: change the track', { timeout: 180_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-track-'));
  let companion: Companion;
  let chromium: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const dataDir = join(tmp, 'companion');
    const db = openDatabase(dataDir);
    const tracks = loadTracks();
    new SessionStore(db, () => tracks).ingest(ridgeSession(tracks), { sha256: 'b'.repeat(64), unitName: 'Academy Car 4', sizeB: 1 });
    db.close();
    companion = await startCompanion({ dataDir, addresses: [] });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  after(async () => {
    await chromium?.close();
    await companion?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('the layout by name; change re-times the laps on the one chosen, and automatic goes back', async () => {
    await page.goto(companion.ready.url);
    await page.getByTestId('nav-sessions').click();
    await page.getByTestId('track-control').waitFor();
    assert.equal(await page.getByTestId('track-name').innerText(), 'Ridge Motorsports Park — Road');
    assert.match(await page.getByTestId('session-list').innerText(), /Ridge Motorsports Park — Road/);
    const lapsOnRoad = await page.locator('[data-testid=lap-table] tbody tr').count();
    assert.ok(lapsOnRoad >= 3, `${lapsOnRoad} laps`);

    await page.getByTestId('track-change').click();
    await page.getByTestId('track-select').waitFor();
    const options = await page.locator('[data-testid=track-select] option').allInnerTexts();
    assert.equal(options[0], 'Automatic: the layout the driven path fits');
    assert.ok(options.slice(1).every((o) => o.startsWith('Ridge Motorsports Park')), options.join(' | '));
    assert.ok(options.includes('Ridge Motorsports Park — GP · 0.77 km'), options.join(' | '));
    await page.getByTestId('track-select').selectOption({ label: 'Ridge Motorsports Park — GP · 0.77 km' });
    await page.screenshot({ path: join(SHOTS, 'track-change-picker.png') });
    await page.getByTestId('track-apply').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=track-name]')?.textContent === 'Ridge Motorsports Park — GP');
    assert.match(await page.getByTestId('track-control').innerText(), /chosen by hand/);
    assert.match(await page.getByTestId('best-lap').innerText(), /^\d\d\.\d{3}$/, 'a lap of the short layout, under a minute');
    // The re-timed laps charted again (the chart counts the points it draws).
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=speed-distance]')?.getAttribute('data-points')) > 0);
    await page.getByTestId('session-list').getByText('Ridge Motorsports Park — GP').waitFor();
    await page.screenshot({ path: join(SHOTS, 'track-change.png'), fullPage: true });

    await page.getByTestId('track-change').click();
    await page.getByTestId('track-select').selectOption({ index: 0 });
    await page.getByTestId('track-apply').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=track-name]')?.textContent === 'Ridge Motorsports Park — Road');
    assert.doesNotMatch(await page.getByTestId('track-control').innerText(), /chosen by hand/);
    assert.equal(await page.locator('[data-testid=lap-table] tbody tr').count(), lapsOnRoad);
    assert.deepEqual(pageErrors, []);
  });
});
