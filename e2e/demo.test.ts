import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser.js';

/**
 * A newcomer's first minute: the demo (what `scripts/demo.sh` runs once set up), the companion
 * it prints, unit 1 paired over USB from the UI, "Sync sessions", and the laps of an earlier
 * track day on screen. On loopback, so it runs without root. Nothing waits on a replay: the
 * sessions are closed before the demo prints its URL, so the time to laps is the demo's start
 * plus one sync (reported, not asserted: the machine's load decides it).
 */
const REPO = fileURLToPath(new URL('..', import.meta.url));
const SHOTS = join(REPO, 'artifacts', 'screenshots');

describe('demo: from the launcher to laps on screen', { timeout: 360_000 }, () => {
  let demo: ChildProcess;
  let url: string;
  let unit1: string;
  const startedAt = performance.now();
  const output: string[] = [];
  let chromium: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    demo = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--loopback'], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    demo.stderr!.setEncoding('utf8').on('data', (d: string) => output.push(d));
    const lines = createInterface({ input: demo.stdout! });
    [url, unit1] = await new Promise<[string, string]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no companion URL in 120 s: ${output.join('')}`)), 120_000);
      demo.once('exit', (code) => reject(new Error(`demo exited (${code}): ${output.join('')}`)));
      lines.on('line', (line) => {
        const m = /Pitwall companion: (\S+)/.exec(line);
        const id = /demo: unit 1 ready \(([^)]+)\)/.exec(output.join(''))?.[1];
        if (m && id) {
          clearTimeout(timer);
          resolve([m[1]!, id]);
        }
      });
    });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  after(async () => {
    await chromium?.close();
    if (demo && demo.exitCode === null) {
      demo.kill('SIGINT');
      await once(demo, 'exit');
    }
  });

  test('pair unit 1 over USB, sync, and an earlier track day\'s laps are on screen', async (t) => {
    await page.goto(url);
    const card = page.locator(`[data-testid="device-card"][data-unit-id="${unit1}"]`);
    await card.getByTestId('link-usb').waitFor({ timeout: 60_000 });
    await card.click();
    await page.getByTestId('unit-panel').getByTestId('pair-button').click();
    const dialog = page.getByTestId('pair-dialog');
    assert.equal(await dialog.getByTestId('via-usb').isChecked(), true, 'unit 1 pairs over USB at once');
    await dialog.getByTestId('pair-start').click();
    await dialog.getByTestId('pair-done').waitFor({ timeout: 45_000 });
    await dialog.getByTestId('pair-close').click();
    const pairedAt = performance.now();

    await page.getByTestId('nav-sessions').click();
    await page.getByTestId('sync-button').click();
    await page.getByTestId('session-row').first().waitFor({ timeout: 90_000 });
    assert.match(await page.getByTestId('sync-bar').innerText(), /3 new sessions/);
    assert.equal(await page.getByTestId('session-row').count(), 3, 'three earlier track days of unit 1');
    const list = await page.getByTestId('session-list').innerText();
    for (const venue of [/Everland/, /Sonoma/, /Orlando/]) assert.match(list, venue);
    await page.getByTestId('session-row').filter({ hasText: 'Everland' }).click();
    await page.getByTestId('lap-table').waitFor({ timeout: 15_000 });
    const rows = page.getByTestId('lap-table').locator('tbody tr');
    assert.ok((await rows.count()) >= 2, 'laps listed');
    // The AiM Solo's own time of the recording's second lap: 2:21.620.
    assert.match(await page.getByTestId('lap-table').innerText(), /2:21\.6[12]\d/);
    const lapsAt = performance.now();
    t.diagnostic(`demo start to laps on screen ${((lapsAt - startedAt) / 1000).toFixed(1)} s (pairing to laps ${((lapsAt - pairedAt) / 1000).toFixed(1)} s)`);
    await page.screenshot({ path: join(SHOTS, 'demo-first-minute.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
