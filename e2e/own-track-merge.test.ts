import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { addMember, editTrack, type CallResult, type OwnTrackDetail, type TrackBook } from '@pitwall/protocol';
import { farRidgeSession } from '../app/test/helpers/ridge-session.js';
import { SHOTS, storedSessionsPage } from './stored-sessions-page.js';

/**
 * "My tracks" on the Sessions screen, in browser mode on a real store: an own track shows the id
 * its geometry gives; a book from another laptop that renamed it later is merged, and the merge
 * report says what changed and from which laptop; "use the old name again" is a new edit here.
 */
describe('sessions screen: my tracks, their ids and what a merge changed', { timeout: 180_000 }, () => {
  const h = storedSessionsPage('own-track-merge', (store, tracks) => {
    store.ingest(farRidgeSession(tracks), { sha256: 'd'.repeat(64), unitName: 'Academy Car 4', sizeB: 1 });
  });

  const callApi = <T>(method: string, params: unknown) =>
    h.page.evaluate(([m, p]) => (window as unknown as { pitwall: { call(m: string, p: unknown): Promise<unknown> } }).pitwall.call(m as string, p), [method, params] as const) as Promise<CallResult<T>>;

  test('the id, the merge report with the other laptop, and changing the name back', async () => {
    const { page, companion, pageErrors } = h;
    await page.goto(companion.ready.url);
    const added = await callApi<{ trackId: string }>('tracks:add', { session: 1, name: 'Home Loop' });
    assert.ok(added.ok, JSON.stringify(added));
    const trackId = added.value.trackId;

    const own = await callApi<OwnTrackDetail[]>('tracks:own', {});
    assert.ok(own.ok);
    const signatureId = own.value[0]!.signatureId!;
    assert.match(signatureId, /^trk-[0-9a-f]{16}$/);

    // Another laptop holds this book too, renamed the track a minute later and put a driver in a group.
    const book = await callApi<TrackBook>('tracks:book', {});
    assert.ok(book.ok);
    const at = book.value.tracks[trackId]!.name.at;
    let theirs = editTrack(book.value, trackId, { field: 'name', value: 'Home Loop (club layout)' }, { ms: at.ms + 60_000, n: 0, node: 'laptop-5e1f0a' });
    theirs = addMember(theirs, 'juniors', 'ana', { ms: at.ms + 60_001, n: 0, node: 'laptop-5e1f0a' });
    const bad = await callApi('tracks:merge', { book: { tracks: { [trackId]: { name: 'x' } }, groups: {} } });
    assert.ok(!bad.ok && /TrackBook|book/.test(bad.error.message), 'a malformed book is refused in a sentence');
    const merged = await callApi<{ changes: unknown[] }>('tracks:merge', { book: theirs });
    assert.ok(merged.ok && merged.value.changes.length === 2, JSON.stringify(merged));

    await page.goto(companion.ready.url);
    await page.getByTestId('nav-sessions').click();
    const card = page.getByTestId('own-track-card');
    await card.getByTestId('merge-change').first().waitFor();
    assert.equal(await card.getByTestId('own-track-title').innerText(), 'Home Loop (club layout)');
    assert.equal(await card.getByTestId('own-track-signature').innerText(), signatureId);
    const change = await card.getByTestId('merge-change').innerText();
    assert.match(change, /Name: Home Loop → Home Loop \(club layout\)/);
    assert.match(change, /from laptop-5e1f0a/);
    await page.getByTestId('own-tracks-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'own-track-merged.png'), fullPage: true });

    await card.getByTestId('merge-change-undo').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=own-track-title]')?.textContent === 'Home Loop');
    assert.match(await card.innerText(), /named by this laptop/);
    await page.reload();
    await page.getByTestId('nav-sessions').click();
    await page.getByTestId('session-list').getByText('Home Loop', { exact: true }).waitFor();
    await page.getByTestId('own-track-card').waitFor();
    await page.screenshot({ path: join(SHOTS, 'own-track-name-back.png'), fullPage: true });

    // The change back is an edit from this laptop: merged on the other laptop, it wins there too.
    const mine = await callApi<TrackBook>('tracks:book', {});
    assert.ok(mine.ok);
    assert.equal(mine.value.tracks[trackId]!.name.value, 'Home Loop');
    assert.notEqual(mine.value.tracks[trackId]!.name.at.node, 'laptop-5e1f0a');
    assert.deepEqual(pageErrors, []);
  });
});
