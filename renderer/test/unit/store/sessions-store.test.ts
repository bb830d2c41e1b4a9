import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { SessionLapTrace } from '@pitwall/protocol';
import { fail, installBridge, ok, settle, type FakeBridge } from '../../helpers/fake-bridge.js';
import { sessionEntry, sessionLaps } from '../../helpers/fixtures.js';
import { TRACE_POINTS, useSessions } from '../../../src/store/sessions-store.js';

let bridge: FakeBridge;
const initial = useSessions.getState();
beforeEach(() => {
  bridge = installBridge();
  useSessions.setState(initial, true);
});
const trace = (session: number, lap: number) => ({ session, lap }) as unknown as SessionLapTrace;
const withSessions = (b: FakeBridge) =>
  b
    .handle('sessions:list', () => ok([sessionEntry(7), sessionEntry(8)]))
    .handle('sessions:laps', ({ session }) => ok(sessionLaps(session, session === 7 ? [95_000, 91_000, 93_000] : [80_000, 79_000])))
    .handle('sessions:trace', ({ session, lap }) => ok(trace(session, lap)));

test('load opens the first session and charts its best lap against the next best', async () => {
  withSessions(bridge);
  await useSessions.getState().load();
  await settle();
  const s = useSessions.getState();
  assert.equal(s.selected, 7);
  assert.deepEqual(s.chosen, [{ session: 7, lap: 2 }, { session: 7, lap: 3 }]);
  // The reference lap is charted alone; the other carries the reference its delta is against.
  assert.deepEqual(bridge.made('sessions:trace').map((c) => c.params), [
    { session: 7, lap: 2, maxPoints: TRACE_POINTS, reference: { session: 7, lap: 2 } },
    { session: 7, lap: 3, maxPoints: TRACE_POINTS, reference: { session: 7, lap: 2 } },
  ]);
  assert.equal(Object.keys(s.traces).length, 2);
});

test('laps are asked once per session; the whole session is charted without a reference', async () => {
  withSessions(bridge);
  await useSessions.getState().select(8);
  await useSessions.getState().select(8);
  assert.equal(bridge.made('sessions:laps').length, 1);
  useSessions.getState().showWhole(8);
  await settle();
  assert.deepEqual(bridge.made('sessions:trace').at(-1)!.params, { session: 8, lap: 0, maxPoints: TRACE_POINTS });
});

test('toggle adds and removes laps, at most five charted, and leaves the whole-session view', async () => {
  withSessions(bridge);
  useSessions.getState().showWhole(7);
  for (let lap = 1; lap <= 7; lap++) useSessions.getState().toggle({ session: 7, lap });
  assert.deepEqual(useSessions.getState().chosen.map((c) => c.lap), [3, 4, 5, 6, 7]);
  useSessions.getState().toggle({ session: 7, lap: 5 });
  assert.deepEqual(useSessions.getState().chosen.map((c) => c.lap), [3, 4, 6, 7]);
  await settle();
});

test('failures: a list, laps or trace refusal is the error; nothing charted from a failed session', async () => {
  bridge.handle('sessions:list', () => fail('storage', 'The store is read-only.'));
  await useSessions.getState().load();
  assert.equal(useSessions.getState().error?.message, 'The store is read-only.');
  bridge.handle('sessions:laps', () => fail('not-found'));
  await useSessions.getState().select(9);
  assert.deepEqual(useSessions.getState().chosen, []);
  assert.equal(useSessions.getState().error?.code, 'not-found');
});

test('sync: busy, then a note saying how many sessions came (or that no unit was online), then the list again', async () => {
  withSessions(bridge).handle('sync:start', () => ok({ units: ['u1'], fetched: 1 } as never));
  const syncing = useSessions.getState().startSync();
  assert.equal(useSessions.getState().sync.busy, true);
  await syncing;
  assert.deepEqual([useSessions.getState().sync.busy, useSessions.getState().sync.note], [false, '1 new session.']);
  bridge.handle('sync:start', () => ok({ units: [], fetched: 0 } as never));
  await useSessions.getState().startSync();
  assert.equal(useSessions.getState().sync.note, 'No paired unit is online.');
  bridge.handle('sync:start', () => fail('internal', 'Sync failed.'));
  await useSessions.getState().startSync();
  assert.equal(useSessions.getState().sync.note, 'Sync failed.');
  assert.equal(bridge.made('sessions:list').length, 3);
});

test('the layout picker: a list answer for a session no longer picked is dropped', async () => {
  const first = useSessions.getState().openTrackPicker(sessionEntry(7));
  const second = useSessions.getState().openTrackPicker(sessionEntry(8));
  const [for7, for8] = bridge.made('tracks:list');
  for8!.answer(ok([{ id: 'ridge-club' }] as never));
  for7!.answer(ok([{ id: 'ridge-gp' }] as never));
  await Promise.all([first, second]);
  assert.equal(useSessions.getState().trackPicker?.session, 8);
  assert.deepEqual(useSessions.getState().trackPicker?.tracks, [{ id: 'ridge-club' }]);
});

test('applying a layout re-times the session, charts its two best laps again; a refusal stays in the picker', async () => {
  withSessions(bridge).handle('tracks:list', () => ok([] as never));
  await useSessions.getState().select(7);
  await useSessions.getState().openTrackPicker(sessionEntry(7));
  useSessions.getState().pickTrack('ridge-club');
  bridge.handle('sessions:set-track', () => fail('invalid-params', 'No such layout.'));
  await useSessions.getState().applyTrack();
  assert.equal(useSessions.getState().trackPicker?.error?.message, 'No such layout.');
  assert.equal(useSessions.getState().trackPicker?.busy, false);
  bridge.handle('sessions:set-track', () => ok({} as never)).handle('sessions:laps', () => ok(sessionLaps(7, [70_000, 71_000, 69_000])));
  await useSessions.getState().applyTrack();
  assert.deepEqual(bridge.made('sessions:set-track').at(-1)!.params, { session: 7, trackId: 'ridge-club' });
  assert.equal(useSessions.getState().trackPicker, null);
  assert.deepEqual(useSessions.getState().chosen.map((c) => c.lap), [3, 1]);
  await settle();
});

test('"Add as my track": named after the venue, saved with the start line when set, refusal kept in the form', async () => {
  withSessions(bridge);
  useSessions.getState().openOwnTrackForm(sessionEntry(7, 'Ridge — GP'));
  assert.equal(useSessions.getState().ownTrackForm?.name, 'Ridge (my line)');
  useSessions.getState().editOwnTrackForm({ at: 0.25 });
  bridge.handle('tracks:add', () => fail('invalid-params', 'The lap is too short.'));
  await useSessions.getState().saveOwnTrack();
  assert.equal(useSessions.getState().ownTrackForm?.error?.message, 'The lap is too short.');
  bridge.handle('tracks:add', () => ok({} as never));
  await useSessions.getState().saveOwnTrack();
  assert.deepEqual(bridge.made('tracks:add').at(-1)!.params, { session: 7, name: 'Ridge (my line)', at: 0.25 });
  assert.equal(useSessions.getState().ownTrackForm, null);
  await settle();
});
