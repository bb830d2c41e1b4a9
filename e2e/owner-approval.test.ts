import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { pressSimButton } from '../testbed/sim-gpio.js';
import { runCli as cli } from '../testbed/companion.js';
import { SHOTS, startUnitUi, type UnitUi } from './helpers/unit-ui.js';
import { unitInfo } from './unit-https.js';

/** An owner (paired over USB, in the UI) approves a second companion's network request to become an owner. */
describe('owner approval in browser mode', { timeout: 120_000 }, () => {
  let ui: UnitUi;
  let page: Page;

  before(async () => {
    ui = await startUnitUi({ tag: 'approve', unit: { name: 'Kart 4 · Pit A' } });
    page = ui.page;
  });

  after(() => ui?.close());

  test('the owner sees the request with both keys, approves it, and the second companion pairs as owner', async () => {
    const card = ui.card();
    await card.getByTestId('link-usb').waitFor({ timeout: 15_000 });
    await card.click();
    const panel = page.getByTestId('unit-panel');
    await panel.getByTestId('pair-button').click();
    const dialog = page.getByTestId('pair-dialog');
    assert.equal(await dialog.getByTestId('via-usb').isChecked(), true);
    await dialog.getByTestId('pair-start').click();
    await dialog.getByTestId('pair-done').waitFor({ timeout: 10_000 });
    await dialog.getByTestId('pair-close').click();
    await panel.getByTestId('operators').waitFor({ timeout: 10_000 });
    assert.equal(await panel.getByTestId('owner-requests').count(), 0, 'nothing pending yet');

    // The second companion asks over the network after the button press: it waits for approval.
    const address = ui.address;
    const second = ['--no-mdns', '--data-dir', join(ui.tmp, 'second')];
    await pressSimButton(join(ui.tmp, 'unit'), 'pair');
    const asked = await cli(['pair', address, '--via', 'net', '--role', 'owner', ...second]);
    assert.equal(asked.code, 4, asked.out + asked.err);
    const m = /\(request ([a-f0-9]{16}); this companion's key (SHA256:\S+), the unit's key/.exec(asked.err);
    assert.ok(m, asked.err);
    const [, requestId, requesterKey] = m;

    const row = panel.locator(`[data-testid="owner-request"][data-request-id="${requestId}"]`);
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await row.getByTestId('request-key').textContent(), requesterKey);
    assert.equal(await row.getByTestId('request-unit-key').textContent(), (await unitInfo(ui.unit.ready.apiPort)).fingerprint);
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'owner-request-pending.png') });

    await row.getByTestId('request-approve').click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="operator-row"]').length === 2, null, { timeout: 10_000 });
    assert.equal(await panel.getByTestId('request-error').count(), 0);

    const paired = await cli(['pair', address, '--via', 'net', '--role', 'owner', ...second]);
    assert.equal(paired.code, 0, paired.out + paired.err);
    assert.match(paired.out, /as owner over the network\./);
    const rows = await panel.getByTestId('operator-row').allTextContents();
    assert.equal(rows.filter((r) => /owner/.test(r)).length, 2, rows.join('\n'));
    await page.screenshot({ path: join(SHOTS, 'owner-request-approved.png') });
  });

  test('the owner denies a request in the UI: the request is gone from the list', async () => {
    const panel = page.getByTestId('unit-panel');
    await pressSimButton(join(ui.tmp, 'unit'), 'pair');
    const asked = await cli(['pair', ui.address, '--via', 'net', '--role', 'owner', '--no-mdns', '--data-dir', join(ui.tmp, 'third')]);
    assert.equal(asked.code, 4, asked.out + asked.err);
    const requestId = /\(request ([a-f0-9]{16});/.exec(asked.err)?.[1];
    assert.ok(requestId, asked.err);
    const row = panel.locator(`[data-testid="owner-request"][data-request-id="${requestId}"]`);
    await row.waitFor({ timeout: 10_000 });
    await row.getByTestId('request-deny').click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await panel.getByTestId('owner-requests').count(), 0);
  });

  test('no page errors', () => {
    assert.deepEqual(ui.pageErrors, []);
  });
});
