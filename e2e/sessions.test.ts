import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { decodeSession } from '@pitwall/protocol';
import { openDatabase, SessionStore } from '@pitwall/app';
import { launchChromium } from './browser.js';
import { startCompanion, type Companion } from '../testbed/companion.js';
import { makeSession, SYNTH_TRACK } from '../app/test/helpers/session-files.js';

/**
 * The Sessions screen in browser mode on a real store: two drivers on two units at the same
 * (synthetic) track, 10 minutes each at 25 Hz GNSS and 100 Hz IMU.
 */
const SHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));

describe('sessions screen', { timeout: 180_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-sessions-'));
  let companion: Companion;
  let chromium: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const dataDir = join(tmp, 'companion');
    const db = openDatabase(dataDir);
    const store = new SessionStore(db, () => [SYNTH_TRACK]);
    const drivers = [
      { unitId: 'unit-7', sessionId: 's-7-1', driver: 'Mia Laurent', unit: 'Academy Car 7', pace: 1, seed: 2 },
      { unitId: 'unit-9', sessionId: 's-9-1', driver: 'Tom <b>Ito</b>', unit: 'Academy Car 9', pace: 1.03, seed: 6 },
    ];
    for (const d of drivers) {
      const made = await makeSession(tmp, { unitId: d.unitId, sessionId: d.sessionId, durationS: 600, seed: d.seed, driver: d.driver, pace: d.pace });
      store.ingest(decodeSession(readFileSync(made.path)), { sha256: made.sha256, unitName: d.unit, sizeB: made.sizeB });
    }
    db.close();
    companion = await startCompanion({ dataDir, addresses: [] });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  after(async () => {
    await chromium?.close();
    await companion?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('sessions by date, lap table with sectors and stats, speed and delta by distance, track map', async () => {
    await page.goto(companion.ready.url);
    await page.getByTestId('nav-sessions').click();
    await page.getByTestId('session-row').first().waitFor();
    assert.equal(await page.getByTestId('session-row').count(), 2);
    const list = await page.getByTestId('session-list').innerText();
    assert.match(list, /Tom <b>Ito<\/b>/, 'device-supplied text is shown as text');
    await page.getByTestId('lap-table').waitFor();
    const rows = await page.locator('[data-testid=lap-table] tbody tr').count();
    assert.ok(rows >= 12, `${rows} laps`);
    assert.match(await page.locator('[data-testid=lap-table] thead').innerText(), /S1\s+S2/);
    assert.match(await page.getByTestId('best-lap').innerText(), /^4\d\.\d{3}$/);
    assert.match(await page.getByTestId('theoretical-best').innerText(), /^4\d\.\d{3}$/);
    assert.match(await page.getByTestId('consistency').innerText(), /^±\d+\.\d{3} s$/);
    await page.locator('[data-testid=speed-distance] path.lap-line').nth(1).waitFor();
    await page.locator('[data-testid=delta-distance] path.lap-line').first().waitFor();
    assert.ok((await page.locator('[data-testid=track-map] line.map-seg').count()) > 100);
    await page.screenshot({ path: join(SHOTS, 'sessions.png'), fullPage: true });

    // Another driver, on another unit, same track: compare and colour the map by delta.
    await page.getByTestId('compare-select').selectOption({ index: 1 });
    await page.locator('[data-testid=speed-distance] path.lap-line').nth(2).waitFor();
    await page.getByTestId('map-delta').click();
    assert.match(await page.getByTestId('track-map').innerText(), /delta to lap/i);
    await page.screenshot({ path: join(SHOTS, 'sessions-compare.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
