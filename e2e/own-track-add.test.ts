import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CallResult } from '@pitwall/protocol';
import { farRidgeSession } from '../app/test/helpers/ridge-session.js';
import { SHOTS, storedSessionsPage } from './stored-sessions-page.js';

/**
 * "Add as my track" on the Sessions screen, in browser mode on a real store: the Ridge drive
 * moved 20 degrees south (a venue no catalog track is near) becomes the driver's own track, and
 * its laps are timed on it at once; a drive that never closes a loop is refused in a sentence.
 */
describe('sessions screen: add a session as my track', { timeout: 180_000 }, () => {
  const h = storedSessionsPage('own-track', (store, tracks) => {
    store.ingest(farRidgeSession(tracks), { sha256: 'd'.repeat(64), unitName: 'Academy Car 4', sizeB: 1 });
    // Its first 40 s only: standing, then out of the paddock, never round a lap.
    const short = farRidgeSession(tracks, 's-short');
    short.fixes = short.fixes.slice(0, 400);
    store.ingest(short, { sha256: 'e'.repeat(64), unitName: 'Academy Car 9', sizeB: 1 });
  });

  const callApi = (method: string, params: unknown) =>
    h.page.evaluate(([m, p]) => (window as unknown as { pitwall: { call(m: string, p: unknown): Promise<unknown> } }).pitwall.call(m as string, p), [method, params] as const) as Promise<CallResult<unknown>>;
  const openSession = async (unitName: string) => {
    const { page } = h;
    await page.getByTestId('session-row').filter({ hasText: unitName }).click();
    await page.getByTestId('track-control').waitFor();
  };

  test('bad tracks:add params are refused in a sentence and store nothing', async () => {
    const { page, companion } = h;
    await page.goto(companion.ready.url);
    const cases: [unknown, RegExp][] = [
      [{ session: 1, name: 'Home\nLoop' }, /cannot hold control characters/],
      [{ session: 1, name: '   ' }, /not only spaces/],
      [{ session: 1, name: 'x'.repeat(81) }, /\/name .*80/],
      [{ session: 1, name: 'Home', at: 1.5 }, /\/at /],
      [{ session: 1, name: 'Home', sectorsAt: [0] }, /\/sectorsAt\/0 /],
      [{ session: 999, name: 'Home' }, /no session 999/],
    ];
    for (const [params, message] of cases) {
      const res = await callApi('tracks:add', params);
      assert.equal(res.ok, false, JSON.stringify(params));
      if (!res.ok) assert.match(res.error.message, message, JSON.stringify(params));
    }
    const list = await callApi('tracks:list', {});
    assert.ok(list.ok && (list.value as { own: boolean }[]).every((t) => !t.own), 'no own track stored');
  });

  test('Add as my track: named, the session re-timed on it at once, the Track line shows its name', async () => {
    const { page, companion, pageErrors } = h;
    await page.goto(companion.ready.url);
    await page.getByTestId('nav-sessions').click();
    await openSession('Academy Car 4');
    assert.equal(await page.getByTestId('track-name').innerText(), 'unknown');
    assert.equal(await page.locator('[data-testid=lap-table] tbody tr').count(), 0, 'no laps without a track');

    await page.getByTestId('own-track-add').click();
    await page.getByTestId('own-track-form').waitFor();
    assert.equal(await page.getByTestId('own-track-name').inputValue(), 'My track');
    assert.equal(await page.getByTestId('own-track-at-straight').isChecked(), true, 'the longest straight by default');
    // The slider appears when the driver chooses the point, and goes when the default is chosen again.
    await page.getByTestId('own-track-at-chosen').check();
    await page.getByTestId('own-track-at').waitFor();
    await page.getByTestId('own-track-at-straight').check();
    assert.equal(await page.getByTestId('own-track-at').count(), 0);
    await page.getByTestId('own-track-name').fill('Home Loop');
    await page.screenshot({ path: join(SHOTS, 'own-track-form.png') });
    await page.getByTestId('own-track-save').click();

    await page.waitForFunction(() => document.querySelector('[data-testid=track-name]')?.textContent === 'Home Loop');
    assert.match(await page.getByTestId('track-control').innerText(), /chosen by hand/);
    assert.equal(await page.getByTestId('own-track-form').count(), 0, 'the form closes');
    await page.locator('[data-testid=lap-table] tbody tr').first().waitFor();
    const laps = await page.locator('[data-testid=lap-table] tbody tr').count();
    assert.ok(laps >= 1, `${laps} laps timed on the new track`);
    await page.getByTestId('session-list').getByText('Home Loop').waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=speed-distance]')?.getAttribute('data-points')) > 0);
    await page.screenshot({ path: join(SHOTS, 'own-track-added.png'), fullPage: true });

    const list = await callApi('tracks:list', {});
    assert.ok(list.ok);
    const own = (list.value as { name: string; own: boolean; lengthM: number }[]).filter((t) => t.own);
    assert.deepEqual(own.map((t) => t.name), ['Home Loop']);
    assert.ok(own[0]!.lengthM > 700 && own[0]!.lengthM < 1000, `${own[0]!.lengthM} m: the first loop closed, the warm-up layout`);

    // A drive that never closes a loop: the reason in a sentence, nothing stored, the form stays.
    await openSession('Academy Car 9');
    await page.getByTestId('own-track-add').click();
    await page.getByTestId('own-track-at-chosen').check();
    await page.getByTestId('own-track-at').fill('0.3');
    await page.getByTestId('own-track-save').click();
    const error = await page.getByTestId('own-track-error').innerText();
    assert.match(error, /^Could not draw a track from session \d+: the path never comes back on itself/);
    await page.screenshot({ path: join(SHOTS, 'own-track-refused.png') });
    assert.equal(await page.getByTestId('own-track-form').count(), 1);
    const after = await callApi('tracks:list', {});
    assert.ok(after.ok && (after.value as { own: boolean }[]).filter((t) => t.own).length === 1);
    assert.deepEqual(pageErrors, []);
  });
});
