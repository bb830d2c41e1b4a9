import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EventPayload, HubStatus } from '@pitwall/protocol';
import { HubClient } from '@pitwall/protocol/node';
import { createCompanion, loadTracks, openDatabase, OwnTracks, SessionStore, syncTrackRegistry, type Companion } from '@pitwall/app';
import { everlandSession } from '../../../../app/test/helpers/everland-session.js';
import { scratchDir, waitFor } from '../../../../app/test/helpers/units.js';
import { runCli } from '../../helpers/run-cli.js';
import { hubBehindRelay, type SeededHubBehindRelay } from '../../helpers/seeded-hub.js';
import { storeFarSession } from '../../helpers/far-session.js';

/**
 * The Hub screen's companion methods against a real `pitwall-hub serve` (SQLite) behind a TCP
 * relay the test can cut: connect (key pinned, token kept out of the window), groups and roles,
 * share and sync, offline with the queue kept and retried, the registry's merge report, forget.
 */
const EVERLAND = 'amg-everland-speedway-everland';
const tracks = loadTracks();

function companionOf(dataDir: string, progress: EventPayload<'hub:progress'>[] = []): Companion {
  return createCompanion({
    dataDir,
    mdns: false,
    serial: false,
    hotplug: false,
    hubTimeoutMs: 3000,
    hubRetryMs: 300,
    events: (event, payload) => {
      if (event === 'hub:progress') progress.push(payload as EventPayload<'hub:progress'>);
    },
  });
}

function seedSessions(dataDir: string, driver: string, ids: string[], unitId: string = randomUUID()): void {
  const db = openDatabase(dataDir);
  const store = new SessionStore(db, () => tracks);
  ids.forEach((sessionId, k) =>
    store.ingest(everlandSession({ unitId, sessionId, driver, startMs: Date.UTC(2026, 4, 2 + k, 10) }), { sha256: 'e'.repeat(64), unitName: `${driver}'s kart`, sizeB: 1 }),
  );
  db.close();
}

const refused = async (p: Promise<unknown>, code: string, sentence: RegExp) => {
  await assert.rejects(p, (err: Error & { code?: string }) => {
    assert.equal(err.code, code, err.message);
    assert.match(err.message, sentence);
    return true;
  });
};

describe('hub screen methods against a real pitwall-hub', { timeout: 180_000 }, () => {
  const scratch = scratchDir('hub-screen-api');
  let seeded: SeededHubBehindRelay;
  const open: Companion[] = [];
  before(async () => {
    seeded = await hubBehindRelay(scratch.dir);
  });
  after(async () => {
    for (const c of open) await c.close();
    await seeded?.stop();
    scratch.cleanup();
  });

  test('connect, share, sync, offline and back, registry, forget', async () => {
    const anaDir = join(scratch.dir, 'ana');
    seedSessions(anaDir, 'Ana Ruiz', ['ana-1', 'ana-2', 'ana-3']);
    // A session the hub cannot take (a unit id that is not one): it stays queued with its reason, the others go.
    seedSessions(anaDir, 'Ana Ruiz', ['odd-1'], 'not-a-unit-id');
    const progress: EventPayload<'hub:progress'>[] = [];
    const ana = companionOf(anaDir, progress);
    open.push(ana);
    const h = ana.handlers;

    // A wrong token: refused in a sentence, nothing kept.
    await refused(h['hub:connect']({ url: seeded.relay.url, token: `pwh_${'x'.repeat(43)}` }), 'forbidden', /refused the member token/);
    assert.equal((await h['hub:status']({})).connection, null);

    const key = await new HubClient(seeded.hub.url).key();
    let s: HubStatus = await h['hub:connect']({ url: `${seeded.relay.url}/`, token: seeded.tokens.ana });
    assert.equal(s.connection?.url, seeded.relay.url);
    assert.equal(s.connection?.fingerprint, key.fingerprint, 'the pinned key is the hub’s');
    assert.equal(s.connection?.tokenSet, true);
    assert.deepEqual(s.connection?.member, { name: 'Ana Ruiz', organisation: 'Kart Academy North' });
    assert.equal(s.connection?.warning, null, 'loopback: no plain-http warning');
    assert.deepEqual(s.groups.map((g) => [g.name, g.role, g.chosen]), [['Class of May', 'driver', true], ['Team Red', 'driver', true]]);
    assert.ok(!JSON.stringify(s).includes(seeded.tokens.ana), 'the token never reaches the window');
    const tokenFile = join(anaDir, 'hub-token');
    assert.equal(readFileSync(tokenFile, 'utf8'), seeded.tokens.ana);
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    // Reconnecting to the same hub without a token keeps the one kept.
    s = await h['hub:connect']({ url: seeded.relay.url });
    assert.equal(s.connection?.tokenSet, true);

    // Share one session with Team Red only; sync only Team Red.
    const [first, second, third, odd] = (await h['sessions:list']({})).sort((a, b) => a.id - b.id);
    s = await h['hub:choose-groups']({ groupIds: [seeded.groups.red] });
    assert.deepEqual(s.groups.map((g) => g.chosen), [false, true]);
    s = await h['hub:share']({ sessions: [first!.id], groups: [seeded.groups.red] });
    assert.equal(s.problem, null, s.problem ?? '');
    assert.deepEqual(s.queue, []);
    assert.deepEqual(s.shared.map((x) => [x.session, x.groups]), [[first!.id, [seeded.groups.red]]]);
    assert.equal(s.lastShared, 1);
    const red = s.groups.find((g) => g.groupId === seeded.groups.red)!;
    assert.ok(red.lastSyncAt !== null && red.changed === 1, JSON.stringify(red));
    assert.equal(s.groups.find((g) => g.groupId === seeded.groups.may)!.lastSyncAt, null, 'a group not chosen is not synced');
    assert.deepEqual([...new Set(progress.map((p) => p.phase))], ['checking', 'sharing', 'syncing', 'done']);

    // Ben, in Team Red, gets Ana's laps in his fleet view from his own companion.
    const benDir = join(scratch.dir, 'ben');
    const ben = companionOf(benDir);
    open.push(ben);
    await ben.handlers['hub:connect']({ url: seeded.relay.url, token: seeded.tokens.ben });
    const bs = await ben.handlers['hub:sync']({});
    assert.equal(bs.groups[0]?.changed, 1);
    const fleet = await ben.handlers['fleet:distribution']({ trackId: EVERLAND });
    assert.deepEqual(fleet.members.map((m) => m.name), ['Ana Ruiz']);

    // The network goes: the share is queued, said plainly, and tried again by itself when it is back.
    await seeded.relay.close();
    s = await h['hub:share']({ sessions: [second!.id, third!.id, odd!.id], groups: [seeded.groups.red, seeded.groups.may] });
    assert.equal(s.offline, true);
    assert.match(s.problem ?? '', /cannot be reached/);
    assert.deepEqual(s.queue.map((q) => q.session), [second!.id, third!.id, odd!.id]);
    assert.match(s.queue[0]!.label, /Ana Ruiz's kart · 2026-05-03/);
    assert.ok(s.retryAt !== null && s.retryAt > Date.now() - 1000);
    await refused(h['hub:sync']({}), 'unreachable', /cannot be reached/);
    assert.equal((await h['hub:status']({})).queue.length, 3, 'still queued after a failed sync');
    await seeded.relay.open();
    s = await waitFor('the queued shares sent by the retry', async () => {
      const now = await h['hub:status']({});
      return now.queue.length === 1 && !now.offline && now;
    }, 30_000, 100);
    assert.equal(s.problem, null);
    assert.equal(s.lastShared, 2, 'the two good sessions went in one batch, refused for the odd one, then one by one');
    assert.equal(s.queue[0]?.session, odd!.id);
    assert.match(s.queue[0]?.error ?? '', /cannot be shared/);
    assert.deepEqual(s.shared.map((x) => x.session).sort(), [first!.id, second!.id, third!.id].sort());

    // The registry: Ben's laptop draws a track and pushes it; Ana's sync shows it arrived, in the merge report.
    const drawDir = join(scratch.dir, 'ben-laptop');
    storeFarSession(drawDir);
    const drawn = await runCli(['tracks', 'add', '--from', 's-far', '--name', 'Home Loop', '--data-dir', drawDir]);
    assert.equal(drawn.code, 0, drawn.err);
    const benBook = openDatabase(drawDir);
    await syncTrackRegistry(new OwnTracks(benBook), seeded.hub.url, seeded.tokens.ben);
    benBook.close();
    s = await h['hub:registry-sync']({});
    assert.ok(s.registry.lastSyncAt !== null);
    assert.equal(s.registry.error, null);
    assert.deepEqual(s.registry.changes.map((c) => [c.field, c.to]), [['created', 'Home Loop']]);
    assert.equal((await h['tracks:own']({})).map((t) => t.name).join(), 'Home Loop');

    // Forget: no link, no token; connecting again pins afresh.
    s = await h['hub:forget']({});
    assert.equal(s.connection, null);
    assert.deepEqual(s.groups, []);
    assert.equal(readFileSync(tokenFile, 'utf8'), '');
    await refused(h['hub:sync']({}), 'not-found', /No hub is connected/);
    s = await h['hub:connect']({ url: seeded.relay.url, token: seeded.tokens.ana });
    assert.equal(s.connection?.fingerprint, key.fingerprint);
    // Two sessions with the same groups: one batch, taken whole.
    s = await h['hub:share']({ sessions: [second!.id, third!.id], groups: [seeded.groups.may] });
    assert.deepEqual([s.problem, s.lastShared, s.queue], [null, 2, []]);
  });

  test('a driver cannot share into a group where they only read; a session not in the store is named', async () => {
    seedSessions(join(scratch.dir, 'cleo-2'), 'Cleo Martin', ['cleo-1']);
    const again = companionOf(join(scratch.dir, 'cleo-2'));
    open.push(again);
    await again.handlers['hub:connect']({ url: seeded.relay.url, token: seeded.tokens.cleo });
    const [only] = await again.handlers['sessions:list']({});
    await refused(again.handlers['hub:share']({ sessions: [only!.id], groups: [seeded.groups.may] }), 'forbidden', /only as a driver or coach/);
    await refused(again.handlers['hub:share']({ sessions: [only!.id], groups: [seeded.groups.red] }), 'forbidden', /not in a group/);
    await refused(again.handlers['hub:share']({ sessions: [9999], groups: [seeded.groups.may] }), 'not-found', /No session 9999/);
    assert.deepEqual((await again.handlers['hub:status']({})).queue, []);
  });
});
