import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HubClient } from '@pitwall/protocol/node';
import { openDatabase, OwnTracks, syncTrackRegistry } from '@pitwall/app';
import { everlandSession } from '../app/test/helpers/everland-session.js';
import { startHubProcess, type HubProcess } from '../hub/test/helpers/hub-process.js';
import { storeFarSession } from '../main/test/helpers/far-session.js';
import { hostPort, hubBehindRelay, type SeededHubBehindRelay } from '../main/test/helpers/seeded-hub.js';
import { runCli } from '../testbed/companion.js';
import { SHOTS, storedSessionsPage } from './stored-sessions-page.js';

/**
 * The Hub screen in Chromium on a browser-mode companion and a real `pitwall-hub serve` (SQLite,
 * seeded through its CLI and API) behind a relay the test can cut: connect, share, sync,
 * offline and back, the registry's merge report, and a hub answering with another key.
 */
describe('hub screen: connect, share, sync, registry', { timeout: 240_000 }, () => {
  const h = storedSessionsPage('hub', (store) => {
    const unitId = randomUUID();
    [0, 1, 2].forEach((k) =>
      store.ingest(everlandSession({ unitId, sessionId: `ana-${k}`, driver: 'Ana Ruiz', pace: 1.02 - k * 0.01, startMs: Date.UTC(2026, 4, 2 + k, 10) }), {
        sha256: 'a'.repeat(64),
        unitName: 'Academy Car 1',
        sizeB: 1,
      }),
    );
  });
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-e2e-hub-'));
  let seeded: SeededHubBehindRelay;
  let impostor: HubProcess | undefined;
  before(async () => {
    seeded = await hubBehindRelay(join(dir, 'hub'));
  });
  after(async () => {
    await seeded?.stop();
    await impostor?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an academy driver connects, shares a session, syncs offline and back, and merges the registry', async () => {
    const { page, companion, pageErrors } = h;
    const shot = (name: string) => page.screenshot({ path: join(SHOTS, `hub-${name}.png`), fullPage: true });
    const key = await new HubClient(seeded.hub.url).key();

    // Ben's laptop drew a track and sent it to the registry before.
    const benLaptop = join(dir, 'ben-laptop');
    storeFarSession(benLaptop);
    assert.equal((await runCli(['tracks', 'add', '--from', 's-far', '--name', 'Home Loop', '--data-dir', benLaptop])).code, 0);
    const bookDb = openDatabase(benLaptop);
    await syncTrackRegistry(new OwnTracks(bookDb), seeded.hub.url, seeded.tokens.ben);
    bookDb.close();

    await page.goto(companion.ready.url);
    await page.getByTestId('nav-hub').click();
    await page.getByTestId('hub-connect-panel').waitFor();
    await shot('1-connect');

    // A wrong token first: a sentence, nothing kept.
    await page.getByTestId('hub-url').fill(seeded.relay.url);
    await page.getByTestId('hub-token').fill(`pwh_${'x'.repeat(43)}`);
    await page.getByTestId('hub-connect').click();
    await page.getByTestId('hub-error').waitFor();
    assert.match(await page.getByTestId('hub-error').innerText(), /refused the member token/);

    await page.getByTestId('hub-token').fill(seeded.tokens.ana);
    await page.getByTestId('hub-connect').click();
    await page.getByTestId('hub-connection').waitFor();
    assert.equal(await page.getByTestId('hub-fingerprint').innerText(), key.fingerprint);
    assert.equal(await page.getByTestId('hub-token-state').innerText(), 'token set');
    assert.equal(await page.getByTestId('hub-member').innerText(), 'Ana Ruiz · Kart Academy North');
    assert.deepEqual(await page.getByTestId('hub-group').allInnerTexts().then((t) => t.map((x) => x.split('\n').slice(0, 2).join(' '))), ['Class of May Driver', 'Team Red Driver']);
    assert.ok(!(await page.content()).includes(seeded.tokens.ana), 'the token is not in the page');
    await shot('2-connected');

    // Share the newest session with Team Red only.
    await page.getByTestId('hub-share-session').first().check();
    await page.getByTestId('hub-share-group').first().uncheck();
    await page.getByTestId('hub-share-button').click();
    await page.getByText(/Last sync just now: 1 session shared/).waitFor({ timeout: 30_000 });
    const red = page.getByTestId('hub-group').filter({ hasText: 'Team Red' });
    assert.match(await red.getByTestId('hub-group-sync').innerText(), /synced just now · 1 session new or changed/);
    assert.deepEqual(await page.getByTestId('hub-shared-with').allInnerTexts(), ['shared · Team Red']);
    await shot('3-shared');

    // The network goes: the next share waits in the queue, and the screen says so.
    await seeded.relay.close();
    await page.getByTestId('hub-share-session').nth(1).check();
    await page.getByTestId('hub-share-button').click();
    await page.getByTestId('hub-offline').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('hub-offline').innerText(), /cannot be reached .* 1 session stays queued here; trying again at/);
    assert.equal(await page.getByTestId('hub-queued').count(), 1);
    await shot('4-offline');

    // Back online, on a slow link: sync now sends what waited, and shows its steps while it works.
    await seeded.relay.open();
    seeded.relay.delayMs = 400;
    await page.getByTestId('hub-sync').click();
    await page.getByTestId('hub-progress').waitFor({ timeout: 30_000 });
    await shot('4b-progress');
    await page.getByText(/Last sync just now: 1 session shared/).waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('hub-queued').count(), 0);
    seeded.relay.delayMs = 0;

    // The registry: Ben's track arrives, and the merge report says so.
    await page.getByTestId('hub-registry-sync').click();
    await page.getByTestId('hub-registry').getByTestId('merge-change').first().waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('hub-registry').getByTestId('merge-change').first().innerText(), /Home Loop\s+Arrived: → Home Loop/);
    assert.match(await page.getByTestId('hub-registry-last').innerText(), /last synced just now · 0 sent · \d+ received/);
    await shot('5-registry');

    // Another server takes the hub's address, with another key: refused, red, both fingerprints.
    impostor = await startHubProcess({ kind: 'sqlite', file: join(dir, 'impostor.sqlite') }, dir, join(dir, 'impostor-key.pem'));
    const impostorKey = await new HubClient(impostor.url).key();
    seeded.relay.retarget(hostPort(impostor.url));
    await page.getByTestId('hub-check').click();
    await page.getByTestId('hub-key-warning').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('hub-fp-pinned').innerText(), key.fingerprint);
    assert.equal(await page.getByTestId('hub-fp-presented').innerText(), impostorKey.fingerprint);
    assert.match(await page.getByTestId('hub-error').innerText(), /now shows the key .* nothing was sent to it/);
    await page.getByTestId('hub-sync').click();
    await page.getByTestId('hub-problem').waitFor();
    await shot('6-key-changed');

    // Forget, and the connect form is back.
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('hub-forget').click();
    await page.getByTestId('hub-connect-panel').waitFor();
    assert.deepEqual(pageErrors, []);
  });
});
