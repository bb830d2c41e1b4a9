import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { SHOTS, startUnitUi, type UnitUi } from './helpers/unit-ui.js';

/**
 * Live timing in the unit panel: a sim unit drives the real Everland laps (AiM Solo, 10 Hz;
 * three sector lines) at 20x, and the panel shows what the unit's own timer says as a pit
 * wall would: the lap running, the delta to the best lap, last and best laps, sector times.
 */
const LAP_TIME = /^[12]:\d{2}\.\d{3}$/;
const SECONDS = (text: string) => {
  const m = /^(?:(\d+):)?(\d+\.\d+)$/.exec(text);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : NaN;
};

describe('live timing in the unit panel', { timeout: 180_000 }, () => {
  let ui: UnitUi;
  let page: Page;

  before(async () => {
    ui = await startUnitUi({ tag: 'timing', unit: { name: 'Timing Car 5', speed: 20 }, companionDir: 'companion', open: false });
    page = ui.page;
  });

  after(() => ui?.close());

  test('the lap running, delta to best (green faster, red slower), last and best laps, sector times', async () => {
    await page.goto(ui.companion.ready.url);
    const panel = await ui.pairInPanel();

    const timing = panel.getByTestId('live-timing');
    // One reading of the whole panel at once: the unit's events keep changing it.
    interface Reading {
      note: string;
      current: string;
      last: string;
      best: string;
      delta: string;
      deltaClass: string;
      deltaColour: string;
      sectorHeads: number;
      lastSplits: string[];
      currentSplits: string[];
    }
    // Plain page script (a string): the test's TypeScript transform must not reach the page.
    const READ = `(() => {
      const q = (id) => document.querySelector('[data-testid="' + id + '"]');
      const text = (id) => (q(id)?.textContent ?? '').trim();
      const cells = (id) => [...(q(id)?.querySelectorAll('td') ?? [])].map((td) => td.textContent.trim());
      const delta = q('timing-delta');
      return {
        note: text('timing-note'), current: text('timing-current'), last: text('timing-last'), best: text('timing-best'),
        delta: text('timing-delta'), deltaClass: delta?.className ?? '', deltaColour: delta ? getComputedStyle(delta).color : '',
        sectorHeads: q('timing-sectors')?.querySelectorAll('thead th').length ?? 0,
        lastSplits: cells('sectors-last'), currentSplits: cells('sectors-current'),
      };
    })()`;
    const read = () => page.evaluate<Reading>(READ);
    // Polled from here: the page's own wait (requestAnimationFrame or interval polling) was seen
    // to miss a panel that changed every 200 ms.
    const readUntil = async (done: (r: Reading) => boolean, timeoutMs: number, what: string): Promise<Reading> => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const r = await read();
        if (done(r)) return r;
        if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(r)}`);
        await new Promise((ok) => setTimeout(ok, 200));
      }
    };
    // A lap completed: the last lap is shown, and a delta to it runs on the next lap.
    await page.waitForFunction(() => /\d:\d{2}\.\d{3}/.test(document.querySelector('[data-testid="timing-last"]')?.textContent ?? ''), null, { timeout: 60_000 });
    await page.waitForFunction(() => /^[+−]?\d+\.\d{2}$/.test(document.querySelector('[data-testid="timing-delta"]')?.textContent ?? ''), null, { timeout: 30_000 });
    const a = await read();
    assert.match(a.last, LAP_TIME);
    assert.ok(SECONDS(a.last) > 130 && SECONDS(a.last) < 150, `an Everland lap: ${a.last}`);
    assert.match(a.best, LAP_TIME);
    assert.ok(SECONDS(a.best) <= SECONDS(a.last));

    // The lap clock runs (or a new lap began).
    const b = await readUntil((r) => r.current !== a.current, 10_000, 'the lap clock to move');
    assert.ok(SECONDS(b.current) > SECONDS(a.current) || b.note !== a.note, `the lap clock runs: ${a.current} (${a.note}) then ${b.current} (${b.note})`);

    // Delta colour follows its sign.
    if (b.delta.startsWith('−')) assert.deepEqual([b.deltaClass.includes('is-faster'), b.deltaColour], [true, 'rgb(62, 207, 142)'], 'green');
    if (b.delta.startsWith('+')) assert.deepEqual([b.deltaClass.includes('is-slower'), b.deltaColour], [true, 'rgb(255, 93, 108)'], 'red');

    // Everland's three sectors: the last lap's splits add up to its time.
    assert.equal(b.sectorHeads, 4);
    const lastSplits = b.lastSplits.map(SECONDS);
    assert.equal(lastSplits.length, 3);
    assert.ok(Math.abs(lastSplits.reduce((x, y) => x + y, 0) - SECONDS(b.last)) < 0.005, `sectors ${lastSplits} add up to ${b.last}`);
    // On the lap in progress, a completed sector shows its split and the running one counts.
    // Read in the same look as the wait: at this speed a new lap may begin right after it.
    const s1 = (await readUntil((r) => /^\d+\.\d{3}$/.test(r.currentSplits[0] ?? ''), 30_000, 'the first split of the lap in progress')).currentSplits[0]!;
    assert.match(s1, /^\d+\.\d{3}$/);
    assert.ok(SECONDS(s1) > 40 && SECONDS(s1) < 70, `Everland S1 ${s1}`);
    const sectors = timing.getByTestId('timing-sectors');
    await sectors.waitFor();
    await timing.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'live-timing.png') });
    await timing.screenshot({ path: join(SHOTS, 'live-timing-panel.png') });
    assert.deepEqual(ui.pageErrors, []);
  });
});
