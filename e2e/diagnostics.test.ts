import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { startCompanion, type Companion } from '../testbed/companion.js';
import { makeBoot, makeCrash, makeHealth, makeRecord, startFakeDiagnosticsUnit, type FakeDiagnosticsUnit } from '../testbed/fake-diagnostics-unit.js';
import { pinUnits } from '../app/test/helpers/diagnostics-fixtures.js';

/**
 * The Logs, Health and Crashes screens in system Chromium against the companion in browser
 * mode, pulling from three stand-in units (paired by pin) with two days of health, tens of
 * thousands of log records and crash dumps; screenshots of each screen.
 */
const SHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));
const XSS = '<img src=x onerror=alert(1)>';
const HOUR = 3600_000;

function fleetData(units: FakeDiagnosticsUnit[]): void {
  const now = Date.now();
  const [car, demo, spare] = units as [FakeDiagnosticsUnit, FakeDiagnosticsUnit, FakeDiagnosticsUnit];
  units.forEach((u, k) => {
    const t0 = now - 6 * HOUR;
    const first = makeBoot(u.id, 30_000, { t0 });
    const second = makeBoot(u.id, 12_000 + k * 3000, { t0: now - 2 * HOUR, extra: (seq) => (seq === 17 ? { ssid: XSS, attempt: 3 } : undefined) });
    second.lines[16] = JSON.stringify({ ...JSON.parse(second.lines[16]!), level: 'warn', subsystem: 'net', msg: `joined ${XSS} after 3 attempts` });
    u.boots.push(first, second);
    for (let i = 0; i < 48 * 12; i++) {
      const t = new Date(now - 48 * HOUR + i * 5 * 60_000);
      const ramp = i / (48 * 12);
      u.health.push(
        makeHealth(u.id, second.boot, t, {
          ...(u === car ? { socTempC: 58 + 27 * ramp ** 3 + 2 * Math.sin(i / 5), warnings: ramp > 0.97 ? ['hot'] : [] } : {}),
          ...(u === demo ? { dataPartition: { totalB: 32e9, freeB: Math.round(32e9 * (0.3 - 0.25 * ramp)), usedPct: 70 + 25 * ramp } } : {}),
          ...(u === spare ? { gnss: { timeToFirstFixS: ramp > 0.8 ? null : 31, start: 'cold', satellites: ramp > 0.8 ? 2 : 9, hdop: null, fixRateHz: 0 } } : {}),
        }),
      );
    }
  });
  const boot = car.boots[1]!;
  const before = Array.from({ length: 40 }, (_, i) => makeRecord(car.id, boot.boot, 11_960 + i, now - 2 * HOUR));
  car.crashes.push(makeCrash(car.id, boot.boot, 'c-20260428-1', 'uncaught-exception', "Cannot read properties of undefined (reading 'sector')", before));
  car.crashes.push(makeCrash(car.id, boot.boot, 'c-20260428-2', 'out-of-memory', 'JavaScript heap out of memory', before.slice(-10)));
  demo.crashes.push(makeCrash(demo.id, demo.boots[1]!.boot, 'h-1', 'hang', 'event loop blocked for 12 s (watchdog)', before.map((r) => ({ ...r, unit: demo.id, boot: demo.boots[1]!.boot }))));
}

describe('diagnostics screens in browser mode', { timeout: 150_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-diag-'));
  const units: FakeDiagnosticsUnit[] = [];
  let companion: Companion;
  let chromium: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    for (const name of ['Academy Car 7', 'Dealer Demo 2', 'Spare Unit 4']) units.push(await startFakeDiagnosticsUnit({ name }));
    fleetData(units);
    await pinUnits(join(tmp, 'companion'), units);
    companion = await startCompanion({ dataDir: join(tmp, 'companion'), addresses: units.map((u) => u.target) });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  after(async () => {
    await chromium?.close();
    await companion?.stop();
    await Promise.all(units.map((u) => u.close()));
    rmSync(tmp, { recursive: true, force: true });
  });

  test('Logs: pull from three units, search, filter, open a record', async () => {
    await page.goto(companion.ready.url);
    await page.getByTestId('device-card').nth(2).waitFor({ timeout: 15_000 });
    await page.getByTestId('nav-logs').click();
    await page.getByTestId('logs-empty').waitFor();
    await page.screenshot({ path: join(SHOTS, 'logs-empty.png') });
    await page.getByTestId('sync-button').click();
    await page.getByTestId('sync-note').getByText(/Pulled /).waitFor({ timeout: 60_000 });
    const note = page.getByTestId('sync-note');
    assert.match((await note.textContent()) ?? '', /from 3 of 3 units/, (await note.getAttribute('title')) ?? '');
    await page.getByTestId('log-row').first().waitFor();
    const count = await page.getByTestId('log-count').textContent();
    assert.match(count ?? "", /More than 10,000 records/);
    const rendered = await page.getByTestId('log-row').count();
    assert.ok(rendered > 10 && rendered < 120, `virtualised: ${rendered} rows in the DOM`);
    await page.screenshot({ path: join(SHOTS, 'logs.png') });

    await page.getByTestId('log-search').fill('joined attempts');
    await page.getByTestId('log-count').getByText(/^3 records/).waitFor();
    await page.getByTestId('log-row').first().click();
    const detail = page.getByTestId('log-detail');
    await detail.getByText('attempt', { exact: true }).waitFor();
    assert.ok((await detail.textContent())?.includes(XSS), 'device text shown as text');
    await page.screenshot({ path: join(SHOTS, 'logs-record.png') });

    for (const nasty of ['"NEAR(', 'gnss" OR (', 'msg:*', ') AND NOT', '"""', '^lap*']) {
      await page.getByTestId('log-search').fill(nasty);
      await page.waitForTimeout(350);
      assert.equal(await page.locator('.result-line .inline-error').count(), 0, `no error for ${nasty}`);
    }
    await page.getByTestId('log-search').fill('');
    await page.getByTestId('filter-unit').selectOption({ label: 'Academy Car 7' });
    await page.getByTestId('filter-level').selectOption('warn');
    await page.getByTestId('filter-subsystem').selectOption('gnss');
    // The list follows the filters (the previous rows stay until the new page arrives).
    let levels: string[] = [];
    for (let i = 0; i < 50; i++) {
      levels = await page.locator('[data-testid=log-row] .level-chip').allTextContents();
      const subs = await page.locator('[data-testid=log-row] .log-sub').allTextContents();
      if (levels.length > 0 && levels.every((l) => ['warn', 'error', 'fatal'].includes(l)) && subs.every((x) => x === 'gnss')) break;
      await page.waitForTimeout(100);
    }
    assert.ok(levels.length > 0 && levels.every((l) => ['warn', 'error', 'fatal'].includes(l)), levels.join(','));
    await page.screenshot({ path: join(SHOTS, 'logs-filtered.png') });
  });

  test('Health: fleet overview flags the hot, full and fix-less units; charts per unit', async () => {
    await page.getByTestId('nav-health').click();
    await page.getByTestId('fleet-row').nth(2).waitFor();
    const flags = await page.getByTestId('trouble-flag').allTextContents();
    for (const f of ['Hot', 'Disk full', 'No GNSS fix', 'Crashed']) assert.ok(flags.includes(f), `${f} in ${flags.join(', ')}`);
    await page.getByTestId('fleet-row').filter({ hasText: 'Academy Car 7' }).click();
    await page.getByTestId('chart-temp').locator('canvas').waitFor();
    await page.screenshot({ path: join(SHOTS, 'health.png') });
    await page.getByTestId('fleet-row').filter({ hasText: 'Dealer Demo 2' }).click();
    await page.getByTestId('health-detail').getByText('Dealer Demo 2').waitFor();
    await page.getByTestId('export-button').click();
    await page.getByTestId('export-note').getByText(/Saved .*\.tar\.gz/).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'health-export.png') });
  });

  test('Crashes: list, then a dump with stack, state and the log before it', async () => {
    await page.getByTestId('nav-crashes').click();
    await page.getByTestId('crash-row').nth(2).waitFor();
    await page.getByTestId('crash-row').filter({ hasText: 'Cannot read properties' }).click();
    await page.getByTestId('crash-detail').locator('.crash-error', { hasText: "Cannot read properties of undefined (reading 'sector')" }).waitFor();
    await page.getByTestId('crash-stack').getByText(/lap-timer/).waitFor();
    assert.equal(await page.getByTestId('crash-logs').locator('.log-row').count(), 40);
    await page.screenshot({ path: join(SHOTS, 'crashes.png') });
    await page.getByTestId('crash-row').filter({ hasText: 'Hang' }).click();
    await page.getByTestId('crash-detail').getByText(/Hang on Dealer Demo 2/).waitFor();
    await page.screenshot({ path: join(SHOTS, 'crashes-hang.png') });
    assert.deepEqual(dialogs, [], 'no script from device text ran');
    assert.deepEqual(pageErrors, []);
  });
});
