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
 * (synthetic) track, 10 minutes each at 25 Hz GNSS and 100 Hz IMU, and a third driver's
 * 30-minute session (45,000 fixes) drawn whole.
 */
const SHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));

describe('sessions screen', { timeout: 180_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-sessions-'));
  let companion: Companion;
  let chromium: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const pageErrors: string[] = [];
  /** Fixes with a position in the 30-minute session (what its whole-session trace draws). */
  let longFixes = 0;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const dataDir = join(tmp, 'companion');
    const db = openDatabase(dataDir);
    const store = new SessionStore(db, () => [SYNTH_TRACK]);
    const drivers = [
      { unitId: 'unit-7', sessionId: 's-7-1', driver: 'Mia Laurent', unit: 'Academy Car 7', pace: 1, seed: 2 },
      { unitId: 'unit-9', sessionId: 's-9-1', driver: 'Tom <b>Ito</b>', unit: 'Academy Car 9', pace: 1.03, seed: 6 },
      { unitId: 'unit-3', sessionId: 's-3-1', driver: 'Ada Long', unit: 'Academy Car 3', pace: 1.01, seed: 4, durationS: 1800 },
    ];
    for (const d of drivers) {
      const made = await makeSession(tmp, { unitId: d.unitId, sessionId: d.sessionId, durationS: d.durationS ?? 600, seed: d.seed, driver: d.driver, pace: d.pace });
      const { id } = store.ingest(decodeSession(readFileSync(made.path)), { sha256: made.sha256, unitName: d.unit, sizeB: made.sizeB });
      if (d.durationS) longFixes = store.fixes(id).filter((f) => f.lat !== null).length;
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

  /** The plot's drawing area on the page. */
  const over = async (testId: string) => {
    await page.getByTestId(testId).scrollIntoViewIfNeeded();
    return (await page.locator(`[data-testid=${testId}] .u-over`).boundingBox())!;
  };

  test('sessions by date, lap table with sectors and stats, speed and delta by distance, track map; one cursor across them; zoom', async () => {
    await page.goto(companion.ready.url);
    await page.getByTestId('nav-sessions').click();
    await page.getByTestId('session-row').first().waitFor();
    assert.equal(await page.getByTestId('session-row').count(), 3);
    const list = await page.getByTestId('session-list').innerText();
    assert.match(list, /Tom <b>Ito<\/b>/, 'device-supplied text is shown as text');
    await page.getByTestId('session-row').filter({ hasText: 'Mia Laurent' }).click();
    await page.getByTestId('lap-table').waitFor();
    const rows = await page.locator('[data-testid=lap-table] tbody tr').count();
    assert.ok(rows >= 12, `${rows} laps`);
    assert.match(await page.locator('[data-testid=lap-table] thead').innerText(), /S1\s+S2/);
    assert.match(await page.getByTestId('best-lap').innerText(), /^4\d\.\d{3}$/);
    assert.match(await page.getByTestId('theoretical-best').innerText(), /^4\d\.\d{3}$/);
    assert.match(await page.getByTestId('consistency').innerText(), /^±\d+\.\d{3} s$/);
    // Two laps in the legends of the speed chart, one delta line against the first.
    await page.locator('[data-testid=speed-plot] .u-series').nth(2).waitFor();
    await page.locator('[data-testid=delta-plot] .u-series').nth(1).waitFor();
    await page.locator('[data-testid=map-plot] canvas').waitFor();
    assert.ok(Number(await page.getByTestId('track-map').getAttribute('data-points')) > 1000, 'every fix of the lap on the map');

    // Hover the speed trace: the delta trace's cursor follows (its legend shows a value), the car moves on the map.
    const speed = await over('speed-plot');
    await page.mouse.move(speed.x + speed.width * 0.3, speed.y + speed.height / 2);
    await page.waitForFunction(() => document.querySelector('[data-testid=map-plot]')?.getAttribute('data-car'));
    const carAt = async () => Number(await page.getByTestId('map-plot').getAttribute('data-car'));
    const first = await carAt();
    await page.mouse.move(speed.x + speed.width * 0.7, speed.y + speed.height / 2);
    await page.waitForFunction((before) => Number(document.querySelector('[data-testid=map-plot]')?.getAttribute('data-car')) > before, first);
    assert.ok((await carAt()) > first, 'further along the trace, further along the track');
    assert.match(await page.locator('[data-testid=delta-plot] .u-series').nth(1).locator('.u-value').innerText(), /^[+-]?\d+\.\d{2}$/, 'the delta cursor moved with it');
    await page.screenshot({ path: join(SHOTS, 'sessions.png'), fullPage: true });

    // Zoom into a corner of the speed trace: drag a box, the distance range narrows; double-click shows it all again.
    const whole = await page.getByTestId('speed-plot').getAttribute('data-x-range');
    await page.mouse.move(speed.x + speed.width * 0.55, speed.y + speed.height * 0.1);
    await page.mouse.down();
    await page.mouse.move(speed.x + speed.width * 0.75, speed.y + speed.height * 0.6, { steps: 8 });
    await page.mouse.up();
    const [lo, hi] = (await page.getByTestId('speed-plot').getAttribute('data-x-range'))!.split(':').map(Number);
    const [wlo, whi] = whole!.split(':').map(Number);
    assert.ok(hi! - lo! < (whi! - wlo!) * 0.3, `zoomed to ${lo}..${hi} of ${wlo}..${whi}`);
    await page.screenshot({ path: join(SHOTS, 'sessions-zoom.png'), fullPage: true });
    await page.mouse.dblclick(speed.x + speed.width / 2, speed.y + speed.height / 2);
    assert.equal(await page.getByTestId('speed-plot').getAttribute('data-x-range'), whole);

    // Another driver, on another unit, same track: compare and colour the map by delta.
    await page.getByTestId('compare-select').selectOption({ label: await page.locator('[data-testid=compare-select] option', { hasText: 'Tom' }).innerText() });
    await page.locator('[data-testid=speed-plot] .u-series').nth(3).waitFor();
    await page.getByTestId('map-delta').click();
    assert.match(await page.getByTestId('track-map').innerText(), /delta to lap/i);
    await page.screenshot({ path: join(SHOTS, 'sessions-compare.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });

  test('a 30-minute session at 25 Hz drawn whole: 45,000 points a trace, render time measured, the cursor stays smooth', async () => {
    await page.getByTestId('session-row').filter({ hasText: 'Ada Long' }).click();
    await page.getByTestId('lap-table').waitFor();
    const t0 = Date.now();
    await page.getByTestId('whole-session').click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=speed-distance]')?.getAttribute('data-points')) === n, longFixes);
    await page.waitForFunction(() => document.querySelector('[data-testid=speed-plot]')?.getAttribute('data-render-ms') && document.querySelector('[data-testid=map-plot]')?.getAttribute('data-render-ms'));
    const shown = Date.now() - t0;
    const points = Number(await page.getByTestId('speed-distance').getAttribute('data-points'));
    const speedMs = Number(await page.getByTestId('speed-plot').getAttribute('data-render-ms'));
    const mapMs = Number(await page.getByTestId('map-plot').getAttribute('data-render-ms'));
    // 60 cursor moves across the whole trace, in the page: each waits until the car is drawn at its new place.
    await over('speed-plot');
    const perMove = await page.evaluate(async () => {
      const area = document.querySelector('[data-testid=speed-plot] .u-over')!;
      const box = area.getBoundingClientRect();
      const map = document.querySelector('[data-testid=map-plot]')!;
      const t0 = performance.now();
      for (let k = 0; k < 60; k++) {
        const was = map.getAttribute('data-car');
        area.dispatchEvent(new MouseEvent('mousemove', { clientX: box.left + (box.width * (k + 0.5)) / 60, clientY: box.top + box.height / 2, bubbles: true }));
        while (map.getAttribute('data-car') === was) await new Promise((r) => requestAnimationFrame(r));
      }
      return (performance.now() - t0) / 60;
    });
    console.log(`# whole 30-minute session: ${points} points; speed chart drawn in ${speedMs} ms, track map in ${mapMs} ms; click to both drawn ${shown} ms (fetch included); ${perMove.toFixed(1)} ms per cursor move (to the car drawn on the map)`);
    assert.ok(points >= 44_000, `${points} points (25 Hz for 30 minutes)`);
    assert.ok(Number.isFinite(speedMs) && Number.isFinite(mapMs));
    await page.screenshot({ path: join(SHOTS, 'sessions-whole.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
