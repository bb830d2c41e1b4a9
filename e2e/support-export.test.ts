import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { list as listTar } from 'tar';
import { needsRoot } from '../testbed/require-root.js';
import { bridgeLoopbackPort } from '../testbed/netns-port-bridge.js';
import { pairOverUsb, startCompanion, type Companion } from '../testbed/companion.js';
import { startSupportRelay, startSupportUnit, SUPPORT_TEST_USER, type SupportRelay, type SupportUnit } from '../testbed/support-relay.js';
import { openCompanionPage, SHOTS, type CompanionPage } from './helpers/unit-ui.js';

/**
 * Support staff open a unit's read-only export from its support panel, through a real sshd relay
 * in its own network namespace (the unit in another): browse, download a file, make an archive;
 * a wrong relay address, a used download link and support turned off give clear refusals.
 */
describe('the support export in the unit panel, through a real relay', { timeout: 180_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pitwall-e2e-support-export-'));
  let rig: SupportRelay | undefined;
  let unit: SupportUnit | undefined;
  let bridge: { close(): void } | undefined;
  let companion: Companion | undefined;
  let chrome: CompanionPage | undefined;
  let page: Page;

  before(async () => {
    if (process.getuid?.() !== 0) return;
    mkdirSync(join(tmp, 'unit'));
    rig = await startSupportRelay('sxe');
    unit = await startSupportUnit(rig, join(tmp, 'unit'), rig.unitSupportConfig({ refreshS: 600 }));
    // Support staff sit where the relay's listen port reaches them: here, its loopback bridged out.
    bridge = await bridgeLoopbackPort(rig.relayNs, rig.listenPort, tmp);
    const address = `127.0.0.1:${unit.unit.ready.apiPort}`;
    await pairOverUsb(unit.unit, join(tmp, 'owner'));
    companion = await startCompanion({ dataDir: join(tmp, 'owner'), addresses: [address] });
    chrome = await openCompanionPage(companion.ready.url);
    page = chrome.page;
  });

  after(async () => {
    await chrome?.close();
    await companion?.stop();
    bridge?.close();
    await unit?.stop();
    rig?.destroy();
    rmSync(tmp, { recursive: true, force: true });
  });

  const waitText = async (l: Locator, re: RegExp, timeout = 30_000) => {
    const end = Date.now() + timeout;
    for (;;) {
      const text = (await l.textContent().catch(() => null)) ?? '';
      if (re.test(text)) return text;
      if (Date.now() > end) throw new Error(`waited for ${re} and saw ${JSON.stringify(text)}`);
      await page.waitForTimeout(200);
    }
  };

  test('browse the export, download a file and an archive; bad relay, used link and support off are refused clearly', async (t) => {
    if (!needsRoot(t)) return;
    const id = unit!.unit.ready.id;
    const card = page.locator(`[data-testid="device-card"][data-unit-id="${id}"]`);
    await card.waitFor({ timeout: 15_000 });
    await card.click();
    const section = page.getByTestId('unit-panel').getByTestId('support-section');
    await section.waitFor({ timeout: 15_000 });
    await section.getByTestId('support-on').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="support-section"]')?.getAttribute('data-on') === 'true', null, { timeout: 20_000 });
    // The relay's operator registers the unit's fresh key, as the panel shows it.
    await section.locator('summary').click();
    const register = (await section.getByTestId('support-register').textContent()) ?? '';
    const key = /echo '([^']+)'/.exec(register)![1]!;
    const until = /--until (\S+)/.exec(register)![1]!;
    const reg = await rig!.register(id, key, until);
    assert.equal(reg.code, 0, reg.stderr);
    await waitText(section.getByTestId('support-tunnel'), /connected to the relay/);

    const browser = section.getByTestId('support-export');
    await browser.waitFor({ timeout: 10_000 });
    assert.equal(await browser.getByTestId('support-export-relay').inputValue(), `127.0.0.1:${rig!.listenPort}`, 'the relay address defaults to the listen port on this computer');
    assert.equal(await browser.getByTestId('support-export-open').isDisabled(), true, 'nothing to open without a key file');
    await browser.getByTestId('support-export-key').fill(rig!.staffKeyFile);
    await browser.getByTestId('support-export-user').fill(SUPPORT_TEST_USER);

    // A relay address where nothing listens: said so, nothing listed.
    await browser.getByTestId('support-export-relay').fill('127.0.0.1:1');
    await browser.getByTestId('support-export-open').click();
    assert.match(await waitText(browser.getByTestId('support-export-error'), /.+/), /^The relay did not answer at 127\.0\.0\.1:1/);
    assert.equal(await browser.getByTestId('support-export-list').count(), 0);
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'support-export-unreachable.png') });

    await browser.getByTestId('support-export-relay').fill(`127.0.0.1:${rig!.listenPort}`);
    await browser.getByTestId('support-export-open').click();
    await browser.getByTestId('support-export-list').waitFor({ timeout: 30_000 });
    const names = async () => browser.getByTestId('support-export-entry').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-name')}:${r.getAttribute('data-kind')}`));
    const top = await names();
    for (const n of ['README.txt:file', 'config.json:file', 'logs:folder', 'crashes:folder']) assert.ok(top.includes(n), `${n} in ${top.join(', ')}`);
    assert.equal(await browser.getByTestId('support-export-error').count(), 0);

    await browser.locator('[data-testid="support-export-entry"][data-name="logs"] button').click();
    await waitText(browser.getByTestId('support-export-path'), /export \/ logs/);
    const logRow = browser.locator('[data-testid="support-export-entry"][data-name="pitwall.log"]');
    await logRow.waitFor({ timeout: 30_000 });
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'support-export-logs.png') });

    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), logRow.getByTestId('support-export-get').click()]);
    assert.equal(download.suggestedFilename(), 'pitwall.log');
    const saved = join(tmp, 'got-pitwall.log');
    await download.saveAs(saved);
    // The export's copy as the unit served it (its log mirror may grow after: compare the prefix).
    const served = readFileSync(join(rig!.unitSrv, 'support', 'export', 'logs', 'pitwall.log'));
    const got = readFileSync(saved);
    assert.ok(got.length > 0 && served.subarray(0, got.length).equals(got), 'the downloaded file is the export\'s file');
    await waitText(browser.getByTestId('support-export-notice'), /^File pitwall\.log \(.+\) is downloading\.$/);
    // The download address works once.
    const again = await fetch(new URL(download.url()));
    assert.equal(again.status, 404);

    const [archive] = await Promise.all([page.waitForEvent('download', { timeout: 90_000 }), browser.getByTestId('support-export-archive').click()]);
    assert.match(archive.suggestedFilename(), /^support-export-[0-9a-f]{8}-\d{14}\.tar\.gz$/);
    const tarFile = join(tmp, 'support.tar.gz');
    await archive.saveAs(tarFile);
    const inTar: string[] = [];
    await listTar({ file: tarFile, onReadEntry: (e) => void inTar.push(e.path) });
    const top2 = archive.suggestedFilename().replace(/\.tar\.gz$/, '');
    for (const n of ['README.txt', 'config.json', 'logs/pitwall.log', 'support-export.json']) assert.ok(inTar.includes(`${top2}/${n}`), `${n} in ${inTar.join(', ')}`);
    await waitText(browser.getByTestId('support-export-notice'), /^Archive support-export-.+ is downloading\.$/);
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'support-export-archive.png') });

    // Support off: the browser goes away, and the companion refuses the export with the reason.
    await section.getByTestId('support-off').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="support-section"]')?.getAttribute('data-on') === 'false', null, { timeout: 20_000 });
    assert.equal(await section.getByTestId('support-export').count(), 0);
    const refused = await page.evaluate(
      ([unitId, keyFile, port]) => window.pitwall!.call('support:export-list', { id: unitId, access: { relay: `127.0.0.1:${port}`, keyFile, user: 'nobody' }, path: '' }),
      [id, rig!.staffKeyFile, String(rig!.listenPort)] as const,
    );
    assert.equal(refused.ok, false);
    assert.match(!refused.ok ? refused.error.message : '', /^Support mode is off on this unit/);
    assert.deepEqual(chrome!.pageErrors, []);
  });
});
