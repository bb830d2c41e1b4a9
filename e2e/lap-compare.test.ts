import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { everlandSession } from '../app/test/helpers/everland-session.js';
import { SHOTS, storedSessionsPage } from './stored-sessions-page.js';

/**
 * Two laps of one track from two sessions, two units and two GNSS rates compared on the
 * Sessions screen: real Everland laps logged at 10 Hz by one unit and at 5 Hz by another, and a
 * second driver 3 % slower.
 */
describe('sessions screen: compare two laps by distance along the track', { timeout: 180_000 }, () => {
  const h = storedSessionsPage('compare', (store) => {
    const meta = (unitName: string) => ({ sha256: 'c'.repeat(64), unitName, sizeB: 1 });
    store.ingest(everlandSession({ unitId: 'unit-1', sessionId: 'ev-ten', driver: 'Ana Ruiz', startMs: Date.UTC(2026, 4, 2, 9) }), meta('Academy Car 1'));
    store.ingest(everlandSession({ unitId: 'unit-2', sessionId: 'ev-five', driver: 'Ana Ruiz', every: 2, startMs: Date.UTC(2026, 4, 9, 9) }), meta('Academy Car 2'));
    store.ingest(everlandSession({ unitId: 'unit-3', sessionId: 'ev-slow', driver: 'Ben Okafor', pace: 1.03, startMs: Date.UTC(2026, 4, 16, 9) }), meta('Academy Car 3'));
  });

  test('a lap of this session against another session\'s: delta, speeds, sectors and corners; any lap of either', async () => {
    const { page, companion, pageErrors } = h;
    await page.goto(companion.ready.url);
    await page.getByTestId('nav-sessions').click();
    // The newest session first: Ben's. Its two laps are charted, and compared.
    await page.getByTestId('lap-compare').waitFor({ timeout: 30_000 });
    // Keep Ben's best, add Ana's best from the 10 Hz unit's session instead of his other lap.
    const picks = page.locator('[data-testid=lap-table] .lap-pick[aria-pressed=true]');
    assert.equal(await picks.count(), 2);
    await picks.nth(1).click();
    const options = await page.locator('[data-testid=compare-select] option').allInnerTexts();
    const ana10 = options.find((o) => o.includes('Academy Car 1'));
    assert.ok(ana10, options.join(' | '));
    await page.getByTestId('compare-select').selectOption({ label: ana10 });
    await page.waitForFunction(() => /Academy Car 1/.test(document.querySelector('[data-testid=compare-lap-b]')?.textContent ?? ''));
    const head = await page.getByTestId('lap-compare').locator('header').innerText();
    assert.match(head, /AMG Everland Speedway · 4\.33 km along the track/);
    assert.match(await page.getByTestId('compare-lap-a').innerText(), /Ben Okafor · Academy Car 3 .* (9|10) Hz/);
    assert.match(await page.getByTestId('compare-lap-b').innerText(), /Ana Ruiz · Academy Car 1 .* 10 Hz/);
    // Ana is faster: B − A is negative, sector by sector and corner by corner.
    assert.match(await page.getByTestId('compare-total').innerText(), /^B −\d\.\d{3} s$/);
    const sectorRows = await page.locator('[data-testid=compare-sectors] tbody tr').allInnerTexts();
    assert.equal(sectorRows.length, 3);
    for (const r of sectorRows) assert.match(r, /−\d\.\d{3}$/);
    const cornerRows = await page.locator('[data-testid=compare-corners] tbody tr').allInnerTexts();
    assert.ok(cornerRows.length >= 10, `${cornerRows.length} corners`);
    assert.match(cornerRows[0]!, /^T1 ↱\s+\d+–\d+ m\s+\d+ \/ \d+ \/ \d+/);
    await page.getByTestId('compare-delta-plot').locator('canvas').first().waitFor();
    await page.getByTestId('lap-compare').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'lap-compare.png'), fullPage: true });

    // The same drive from the 5 Hz unit: pick Ana's 5 Hz session, then its lap 1 against the 10 Hz lap 1.
    await page.getByTestId('session-list').getByText('Academy Car 2').click();
    await page.getByTestId('lap-compare').waitFor();
    const fivePicks = page.locator('[data-testid=lap-table] .lap-pick[aria-pressed=true]');
    await fivePicks.nth(1).click();
    const tenOption = (await page.locator('[data-testid=compare-select] option').allInnerTexts()).find((o) => o.includes('Academy Car 1'))!;
    await page.getByTestId('compare-select').selectOption({ label: tenOption });
    await page.waitForFunction(() => /Academy Car 1/.test(document.querySelector('[data-testid=compare-lap-b]')?.textContent ?? ''));
    await page.getByTestId('compare-pick-a').selectOption('1');
    await page.getByTestId('compare-pick-b').selectOption('1');
    await page.waitForFunction(() => /5 Hz/.test(document.querySelector('[data-testid=compare-lap-a]')?.textContent ?? '') && document.querySelector<HTMLSelectElement>('[data-testid=compare-pick-b]')?.value === '1');
    await page.waitForFunction(() => /^B [±−+]0\.0\d\d s$/.test(document.querySelector('[data-testid=compare-total]')?.textContent ?? ''));
    await page.getByTestId('lap-compare').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'lap-compare-rates.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
