import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { SHOTS, startUnitUi, type UnitUi } from './helpers/unit-ui.js';

/** The unit panel's Wi-Fi section against a sim unit whose nmcli replays recorded output. */
const FAKE_NMCLI = fileURLToPath(new URL('../testbed/fake-nmcli/nmcli', import.meta.url));
const PASSWORD = 'Ui-Planted-Pw-42';

describe('Wi-Fi in the unit panel', { timeout: 180_000 }, () => {
  let ui: UnitUi;
  let page: Page;

  before(async () => {
    ui = await startUnitUi({
      tag: 'wifi',
      unit: (tmp) => {
        mkdirSync(join(tmp, 'fake'));
        writeFileSync(join(tmp, 'unit.json'), JSON.stringify({ network: { nmcli: FAKE_NMCLI } }));
        return { name: 'Kart 7', extraArgs: ['--config', join(tmp, 'unit.json')], env: { FAKE_NMCLI_DIR: join(tmp, 'fake') } };
      },
    });
    page = ui.page;
  });

  after(() => ui?.close());

  test('scan with signal bars, save a network (the password is never shown back), reorder, connect', async () => {
    const panel = await ui.pairInPanel();

    const wifi = panel.getByTestId('wifi-section');
    await wifi.getByTestId('wifi-mode').waitFor({ timeout: 20_000 });
    assert.equal(await wifi.getByTestId('wifi-mode').textContent(), 'Client');
    await wifi.getByTestId('wifi-scan').click();
    await wifi.getByTestId('wifi-network').first().waitFor({ timeout: 20_000 });
    assert.equal(await wifi.getByTestId('wifi-network').count(), 14);
    assert.match((await wifi.getByTestId('wifi-networks').textContent()) ?? '', /Cafe: Free WiFi/);

    for (const [name, pw] of [['HomeNet', PASSWORD], ['back\\slash', PASSWORD]] as const) {
      await wifi.getByTestId('wifi-ssid').fill(name);
      await wifi.getByTestId('wifi-password').fill(pw);
      await wifi.getByTestId('wifi-save').click();
      await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="wifi-profile"]')].some((li) => li.textContent?.includes(n)), `Pitwall: ${name}`, { timeout: 20_000 });
      assert.equal(await wifi.getByTestId('wifi-password').inputValue(), '', 'the password field is cleared once sent');
    }
    const names = async () => (await wifi.getByTestId('wifi-profile').allTextContents()).map((t) => /Pitwall: \S+/.exec(t)?.[0]);
    // Same priority: by name.
    assert.deepEqual(await names(), ['Pitwall: back\\slash', 'Pitwall: HomeNet']);
    await wifi.getByRole('button', { name: 'Move Pitwall: HomeNet up' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="wifi-profile"]')?.textContent?.includes('HomeNet'), null, { timeout: 20_000 });
    assert.deepEqual(await names(), ['Pitwall: HomeNet', 'Pitwall: back\\slash']);
    await wifi.getByTestId('wifi-profile').nth(0).getByTestId('wifi-connect').click();
    await page.waitForFunction(() => /Connected to HomeNet/.test(document.querySelector('[data-testid="wifi-link"]')?.textContent ?? ''), null, { timeout: 30_000 });
    assert.match((await wifi.getByTestId('wifi-link').textContent()) ?? '', /192\.168\.1\.20\/24 · last connect \d+\.\d s/);
    await wifi.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'wifi-panel.png'), fullPage: true });
    assert.ok(!(await page.content()).includes(PASSWORD), 'the page never holds the password once sent');
    assert.deepEqual(ui.pageErrors, []);
  });
});
