import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { pairOverUsb } from '../testbed/companion.js';
import { SHOTS, startUnitUi, type UnitUi } from './helpers/unit-ui.js';

/**
 * The unit panel's remote support section: an owner turns support on for two hours and off again.
 * The relay is a closed port (the tunnel keeps retrying); the relay itself is tested on the unit.
 */

describe('remote support in the unit panel', { timeout: 120_000 }, () => {
  let ui: UnitUi;
  let page: Page;
  const unitDir = () => join(ui.tmp, 'unit');

  before(async () => {
    ui = await startUnitUi({
      tag: 'support',
      unit: (tmp) => {
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(tmp, 'relay_key')]);
        const hostKey = readFileSync(join(tmp, 'relay_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
        writeFileSync(join(tmp, 'unit.json'), JSON.stringify({ support: { relay: { host: '127.0.0.1', port: 1, user: 'nobody', hostKey, listenPort: 20001 }, exportRoot: join(tmp, 'export-root'), exportPort: 30000 + Math.floor(Math.random() * 10000) } }));
        return { name: 'Kart 9 · Support', extraArgs: ['--config', join(tmp, 'unit.json')] };
      },
      usb: false,
      beforeCompanion: ({ tmp, unit }) => pairOverUsb(unit, join(tmp, 'owner')),
    });
    page = ui.page;
  });

  after(() => ui?.close());

  test('the owner turns support on for 2 hours, sees the time left and the relay registration, and turns it off', async () => {
    const card = ui.card();
    await card.waitFor({ timeout: 15_000 });
    await card.click();
    const section = page.getByTestId('unit-panel').getByTestId('support-section');
    await section.waitFor({ timeout: 15_000 });
    assert.match((await section.getByTestId('support-state').textContent()) ?? '', /^Off\./);
    await section.getByTestId('support-duration').selectOption(String(2 * 3600));
    await section.getByTestId('support-on').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="support-section"]')?.getAttribute('data-on') === 'true', null, { timeout: 15_000 });
    const leftText = (await section.getByTestId('support-left').textContent()) ?? '';
    assert.match(leftText, /^(1 h 59 min|2 h 0 min)$/, leftText);
    assert.ok(existsSync(join(unitDir(), 'support', 'id_ed25519')), 'the unit made its support key');
    await section.locator('summary').click();
    const register = (await section.getByTestId('support-register').textContent()) ?? '';
    assert.equal(/echo '([^']+)'/.exec(register)?.[1], readFileSync(join(unitDir(), 'support', 'id_ed25519.pub'), 'utf8').trim());
    assert.match(register, new RegExp(`--unit ${ui.unit.ready.id} --port 20001 --until \\d{4}-`));
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'support-on.png') });

    await section.getByTestId('support-off').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="support-section"]')?.getAttribute('data-on') === 'false', null, { timeout: 15_000 });
    assert.equal(existsSync(join(unitDir(), 'support', 'id_ed25519')), false, 'the key is deleted when support ends');
    await page.screenshot({ path: join(SHOTS, 'support-off.png') });
    assert.deepEqual(ui.pageErrors, []);
  });
});
