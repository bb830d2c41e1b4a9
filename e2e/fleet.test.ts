import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { everlandSession } from '../app/test/helpers/everland-session.js';
import { SHOTS, storedSessionsPage } from './stored-sessions-page.js';

/**
 * The Fleet screen on a real store: the real Everland laps driven by three drivers on three
 * units over a season (each session a pace of its own, getting quicker), their distributions
 * computed in the companion from what it synced.
 */
const DRIVERS = [
  { driver: 'Ana Ruiz', unit: 'Academy Car 1', pace: [1.02, 1.015, 1.008, 1.0] },
  { driver: 'Ben Okafor', unit: 'Academy Car 2', pace: [1.06, 1.05, 1.035, 1.03] },
  { driver: 'Chloé Martin', unit: 'Academy Car 3', pace: [1.09, 1.07, 1.06, 1.045] },
];

describe('fleet screen: distributions of a track for a group', { timeout: 180_000 }, () => {
  const h = storedSessionsPage('fleet', (store) => {
    DRIVERS.forEach((d, k) =>
      d.pace.forEach((pace, week) =>
        store.ingest(
          everlandSession({ unitId: `unit-${k + 1}`, sessionId: `fleet-${k}-${week}`, driver: d.driver, pace, every: k === 1 ? 2 : 1, startMs: Date.UTC(2026, 3, 4 + 7 * week, 9 + k) }),
          { sha256: 'f'.repeat(64), unitName: d.unit, sizeB: 1 },
        ),
      ),
    );
  });

  test('lap times, sectors and corner minimum speeds of the group, one driver marked, the group narrowed', async () => {
    const { page, companion, pageErrors } = h;
    await page.goto(companion.ready.url);
    await page.getByTestId('nav-fleet').click();
    await page.getByTestId('fleet-lap-histogram').waitFor({ timeout: 30_000 });
    const laps = Number((await page.getByTestId('fleet-laps').innerText()).replace(/\D/g, ''));
    assert.ok(laps >= 24, `${laps} laps`);
    assert.match(await page.getByTestId('fleet-track').locator('option:checked').innerText(), /^AMG Everland Speedway · \d+ laps$/);
    // Ana marked first (the first driver by name): her laps as ticks under the histogram.
    assert.equal(await page.getByTestId('fleet-mark').inputValue(), 'Ana Ruiz');
    assert.ok((await page.locator('[data-testid=fleet-lap-histogram] .mark-tick').count()) >= 8);
    assert.equal(await page.locator('[data-testid=fleet-member-boxes] .box-row').count(), 3);
    assert.equal(await page.locator('[data-testid=fleet-sector-boxes] .box-row').count(), 3);
    assert.ok((await page.locator('[data-testid=fleet-corner-boxes] .box-row').count()) >= 10);
    assert.equal(await page.locator('[data-testid=fleet-progress] polyline').count(), 3);
    // The group's theoretical best is Ana's fastest sectors: no slower than her own theoretical best.
    const groupBest = await page.getByTestId('fleet-theoretical-best').innerText();
    assert.match(groupBest, /^2:1\d\.\d{3}$/);
    assert.match(await page.getByTestId('fleet-marked-best').innerText(), /^2:1\d\.\d{3} · 2:1\d\.\d{3}$/);
    await page.screenshot({ path: join(SHOTS, 'fleet.png'), fullPage: true });

    await page.getByTestId('fleet-mark').selectOption('Chloé Martin');
    await page.waitForFunction(() => document.querySelector('[data-testid=fleet-member-boxes] .box-row.marked')?.getAttribute('data-label')?.startsWith('Chloé Martin'));
    // The group without Ana: its theoretical best gets slower.
    await page.getByTestId('fleet-members').getByLabel('Ana Ruiz').uncheck();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=fleet-member-boxes] .box-row').length === 2);
    const withoutAna = await page.getByTestId('fleet-theoretical-best').innerText();
    assert.ok(withoutAna > groupBest, `${withoutAna} vs ${groupBest}`);
    await page.getByTestId('fleet-by-unit').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=fleet-member-boxes] .box-row')?.getAttribute('data-label')?.startsWith('Academy Car'));
    assert.equal(await page.locator('[data-testid=fleet-member-boxes] .box-row').count(), 3);
    await page.screenshot({ path: join(SHOTS, 'fleet-by-unit.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
