import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { startCompanion, type Companion } from '../testbed/companion.js';
import { startSimUnit, type SimUnit } from '../testbed/sim-unit.js';
import { pressSimButton, setSimDiskFree } from '../testbed/sim-gpio.js';
import { cliPair } from './unit-https.js';

/**
 * The Logs screen's live tail in system Chromium against a real simulated unit (paired over the
 * network with the CLI): a record the unit writes after the tail started shows up in the list.
 */
const SHOTS = fileURLToPath(new URL('../artifacts/screenshots/', import.meta.url));

describe('live tail of a real unit in browser mode', { timeout: 120_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-tail-'));
  const unitDir = join(tmp, 'unit');
  let unit: SimUnit;
  let companion: Companion;
  let chromium: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    unit = await startSimUnit({ dataDir: unitDir, name: 'Tail Car 5' });
    const address = `127.0.0.1:${unit.ready.apiPort}`;
    await pressSimButton(unitDir, 'pair');
    const paired = await cliPair(join(tmp, 'companion'), address, ['--via', 'net']);
    assert.equal(paired.code, 0, paired.out);
    companion = await startCompanion({ dataDir: join(tmp, 'companion'), addresses: [address] });
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

  test('Logs: follow one unit live; what it writes next appears at the top of the list', async () => {
    await page.goto(companion.ready.url);
    await page.locator(`[data-testid="device-card"][data-unit-id="${unit.ready.id}"]`).waitFor({ timeout: 15_000 });
    await page.getByTestId('nav-logs').click();
    await page.getByTestId('filter-unit').selectOption({ label: 'Tail Car 5' });
    await page.getByTestId('tail-button').click();
    await page.getByTestId('tail-status').getByText('Tail Car 5').waitFor();
    // The first round brings the boot's records so far.
    await page.getByTestId('log-row').filter({ hasText: /boot done in \d+ ms/ }).waitFor({ timeout: 20_000 });

    const bytes = 5_151_515;
    await setSimDiskFree(unitDir, bytes);
    const fresh = page.getByTestId('log-row').filter({ hasText: `data partition free space ${bytes} B under` });
    await fresh.waitFor({ timeout: 15_000 });
    assert.equal(await fresh.locator('.level-chip').textContent(), 'warn');
    assert.equal(await fresh.locator('.log-sub').textContent(), 'health');
    assert.match((await page.getByTestId('tail-status').textContent()) ?? '', /Following Tail Car 5 live · \d+ new records/);
    assert.ok(await fresh.isVisible(), 'the newest record is in view at the top');
    await page.screenshot({ path: join(SHOTS, 'logs-tail.png') });

    await page.getByTestId('tail-button').click();
    await page.getByTestId('tail-status').waitFor({ state: 'detached' });
    await setSimDiskFree(unitDir, null);
    assert.deepEqual(pageErrors, []);
  });
});
