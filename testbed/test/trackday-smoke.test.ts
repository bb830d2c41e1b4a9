import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTrackDay, storedOnceProblems } from '../../bench/trackday.js';
import { needsRoot } from '../require-root.js';

// The track-day benchmark's whole path at toy size (2 units x 1 one-minute session), so the
// bench code cannot rot between bench runs: recorder-made sessions, real units in namespaces,
// the shaped uplink, the companion core's sync, the SQLite rows checked.
test('track-day bench path: two units sync one session each over the shaped uplink, each stored once', { timeout: 180_000 }, async (t) => {
  if (!needsRoot(t)) return;
  const r = await runTrackDay({ units: 2, sessionsPerUnit: 1, sessionS: 60, linkMbit: 50 });
  assert.equal(r.expected.length, 2);
  assert.deepEqual(storedOnceProblems(r), []);
  assert.equal(r.sync.report.fetched, 2, JSON.stringify(r.sync.report));
  assert.ok(r.stored.every((s) => s.fixes > 1000 && s.imu > 5000), JSON.stringify(r.stored));
  assert.ok(r.sync.loop.maxMs > 0 && r.sync.loop.p99Ms <= r.sync.loop.maxMs, JSON.stringify(r.sync.loop));
});
