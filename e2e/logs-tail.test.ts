import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { pressSimButton, setSimDiskFree } from '../testbed/sim-gpio.js';
import { SHOTS, startUnitUi, type UnitUi } from './helpers/unit-ui.js';
import { cliPair } from './unit-https.js';

/**
 * The Logs screen's live tail in system Chromium against a real simulated unit (paired over the
 * network with the CLI): a record the unit writes after the tail started shows up in the list.
 */

describe('live tail of a real unit in browser mode', { timeout: 120_000 }, () => {
  let ui: UnitUi;
  let page: Page;
  const unitDir = () => join(ui.tmp, 'unit');

  before(async () => {
    ui = await startUnitUi({
      tag: 'tail',
      unit: { name: 'Tail Car 5' },
      companionDir: 'companion',
      usb: false,
      open: false,
      beforeCompanion: async ({ tmp, address }) => {
        await pressSimButton(join(tmp, 'unit'), 'pair');
        const paired = await cliPair(join(tmp, 'companion'), address, ['--via', 'net']);
        assert.equal(paired.code, 0, paired.out);
      },
    });
    page = ui.page;
  });

  after(() => ui?.close());

  test('Logs: follow one unit live; what it writes next appears at the top of the list', async () => {
    await page.goto(ui.companion.ready.url);
    await ui.card().waitFor({ timeout: 15_000 });
    await page.getByTestId('nav-logs').click();
    await page.getByTestId('filter-unit').selectOption({ label: 'Tail Car 5' });
    await page.getByTestId('tail-button').click();
    await page.getByTestId('tail-status').getByText('Tail Car 5').waitFor();
    // The first round brings the boot's records so far.
    await page.getByTestId('log-row').filter({ hasText: /boot done in \d+ ms/ }).waitFor({ timeout: 20_000 });

    const bytes = 5_151_515;
    await setSimDiskFree(unitDir(), bytes);
    const fresh = page.getByTestId('log-row').filter({ hasText: `data partition free space ${bytes} B under` });
    await fresh.waitFor({ timeout: 15_000 });
    assert.equal(await fresh.locator('.level-chip').textContent(), 'warn');
    assert.equal(await fresh.locator('.log-sub').textContent(), 'health');
    assert.match((await page.getByTestId('tail-status').textContent()) ?? '', /Following Tail Car 5 live · \d+ new records/);
    assert.ok(await fresh.isVisible(), 'the newest record is in view at the top');
    await page.screenshot({ path: join(SHOTS, 'logs-tail.png') });

    await page.getByTestId('tail-button').click();
    await page.getByTestId('tail-status').waitFor({ state: 'detached' });
    await setSimDiskFree(unitDir(), null);
    assert.deepEqual(ui.pageErrors, []);
  });
});
