import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ridgeSession } from '../app/test/helpers/ridge-session.js';
import { SHOTS, storedSessionsPage } from './stored-sessions-page.js';

/**
 * "Track: … change" on the Sessions screen, in browser mode on a real store: a session at Ridge
 * (warm-up on the 767 m layout, then the 3.85 km one) is re-timed on the short layout by hand,
 * then handed back to the track chooser.
 */
describe('sessions screen: change the track', { timeout: 180_000 }, () => {
  const h = storedSessionsPage('track', (store, tracks) => store.ingest(ridgeSession(tracks), { sha256: 'b'.repeat(64), unitName: 'Academy Car 4', sizeB: 1 }));

  test('the layout by name; change re-times the laps on the one chosen, and automatic goes back', async () => {
    const { page, companion, pageErrors } = h;
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
