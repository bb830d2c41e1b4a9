import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { apiError, liveLap, OWN_TRACKS_MAX, ownTrackList, ownTrackPushResult, proposeTrack, type TrackDefinition } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { NmeaDecoder, withChecksum } from '../../../src/index.js';
import { ownTracksFile } from '../../../src/pipeline/own-track-file.js';
import { everlandRecording, tempDir } from '../../helpers/paths.js';
import { https, makeOperator, pairOverSerial, readAudit, type OperatorCreds, type Res } from '../../helpers/https-client.js';
import { openLive } from '../../helpers/live-stream.js';

/** Everland moved 20 degrees south (37 N -> 17 N): a venue no catalog track is near. */
function movedRecording(): string {
  return readFileSync(everlandRecording, 'latin1')
    .split('\n')
    .map((l) => {
      const m = /^\$([^*]*)\*[0-9A-F]{2}\s*$/.exec(l);
      if (!m || !/,37(\d\d\.\d+),N,/.test(m[1]!)) return l;
      return withChecksum(m[1]!.replace(/,37(\d\d\.\d+),N,/, ',17$1,N,'));
    })
    .join('\n');
}

/** An own track as the companion draws it (`pitwall tracks add`): the first lap of the moved drive. */
function ownTrackOf(nmea: string, name: string): TrackDefinition {
  const decoder = new NmeaDecoder();
  const fixes = [...nmea.split('\n').flatMap((l) => decoder.push(l)), ...decoder.flush()];
  const path = fixes.flatMap((f) => (f.fix !== 'none' && f.lat !== null && f.lon !== null && (f.speedMps ?? 10) >= 2.5 ? [{ lat: f.lat, lon: f.lon }] : []));
  return proposeTrack(path, { name });
}

let data: { dir: string; cleanup: () => Promise<void> };
let recording: string;
let track: TrackDefinition;
let unit: SimUnit | undefined;
let base: string;
const ops = {} as Record<'owner' | 'dealer' | 'staff' | 'support', OperatorCreds>;
const message = (res: Res) => apiError.parse(JSON.parse(res.body)).error.message;
const push = (who: OperatorCreds, body: string | object) => https(base, 'PUT', '/v1/tracks/own', { client: who, body, headers: { 'content-type': 'application/json' }, timeoutMs: 20_000 });
const fileBytes = () => readFile(ownTracksFile(data.dir), 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));

async function boot(): Promise<void> {
  unit = await startSimUnit({ dataDir: data.dir, recording, speed: 20 });
  base = `https://127.0.0.1:${unit.ready.apiPort}`;
}

before(async () => {
  data = await tempDir('own-tracks-push');
  recording = join(data.dir, 'moved-everland.nmea');
  const nmea = movedRecording();
  writeFileSync(recording, nmea);
  track = ownTrackOf(nmea, 'Moved Everland');
  await boot();
  for (const role of ['owner', 'dealer', 'staff', 'support'] as const) {
    ops[role] = await makeOperator(`${role} tracks`);
    await pairOverSerial(unit!.ready.serialPath, ops[role], role);
  }
});

after(async () => {
  await unit?.stop();
  await data?.cleanup();
});

test('hostile pushes are refused with a clear error and change nothing; staff and support may not push', async () => {
  const good = { tracks: [track] };
  const cases: [string, OperatorCreds, string | object, number, RegExp][] = [
    ['staff', ops.staff, good, 403, /role staff may not replace the unit's own tracks/],
    ['support', ops.support, good, 403, /role support may not/],
    ['a spoofed catalog id', ops.owner, { tracks: [{ ...track, id: 'everland-speedway-everland' }] }, 400, /is not the id of its geometry/],
    ['another own id', ops.owner, { tracks: [{ ...track, id: 'own-0123456789abcdef' }] }, 400, /is not the id of its geometry/],
    ['a track twice', ops.owner, { tracks: [track, track] }, 400, /listed twice/],
    ['an infinite length', ops.owner, JSON.stringify(good).replace(/"lengthM":\d+/, '"lengthM":1e999'), 400, /lengthM/],
    ['a NaN coordinate', ops.owner, JSON.stringify(good).replace(/\[(-?\d+\.\d+),(-?\d+\.\d+)\]/, '[NaN,$2]'), 400, /.+/],
    ['a null coordinate', ops.owner, { tracks: [{ ...track, outline: [[null, 1], ...track.outline!.slice(1)] }] }, 400, /invalid OwnTrackList/],
    ['a string for a number', ops.owner, { tracks: [{ ...track, lengthM: '900' }] }, 400, /.+/],
    ['an unknown field', ops.owner, { tracks: [{ ...track, admin: true }] }, 400, /invalid OwnTrackList/],
    ['not a list', ops.owner, { tracks: 'all' }, 400, /invalid OwnTrackList/],
    ['no outline', ops.owner, { tracks: [{ ...track, outline: undefined }] }, 400, /needs its outline/],
    ['a 5 km start line', ops.owner, { tracks: [{ ...track, startFinish: { a: track.startFinish.a, b: { lat: track.startFinish.a.lat + 0.05, lon: track.startFinish.a.lon } } }] }, 400, /wide/],
    ['a control character in the name', ops.owner, { tracks: [{ ...track, venue: 'Moved\u001b[2J' }] }, 400, /control characters/],
    ['too many points', ops.owner, { tracks: [{ ...track, outline: Array.from({ length: 5001 }, (_, i) => track.outline![i % track.outline!.length]) }] }, 400, /more than 5000 points/],
    ['too many tracks', ops.owner, { tracks: Array.from({ length: OWN_TRACKS_MAX + 1 }, () => track) }, 400, /invalid OwnTrackList/],
    ['a body over 4 MiB', ops.owner, JSON.stringify({ tracks: [{ ...track, layout: 'x'.repeat(4 * 1024 * 1024) }] }), 413, /.+/],
  ];
  for (const [what, who, body, status, text] of cases) {
    const res = await push(who, body);
    assert.equal(res.status, status, `${what}: ${res.body.slice(0, 300)}`);
    assert.match(message(res), text, what);
    assert.equal(await fileBytes(), null, `${what}: nothing stored`);
  }
  const refusals = (await readAudit(data.dir)).filter((r) => r.event === 'refuse' && r.detail.includes('PUT /v1/tracks/own'));
  assert.ok(refusals.some((r) => r.role === 'staff'), 'the staff refusal is audited');
});

test('the dealer pushes: stored 0600, listed, audited; hostile pushes after it leave it as it was', async () => {
  const live = await openLive(base, ops.owner);
  try {
    const res = await push(ops.dealer, { tracks: [track] });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(ownTrackPushResult.parse(JSON.parse(res.body)), { tracks: 1, appliesFrom: 'next-start' });
    const st = await stat(ownTracksFile(data.dir));
    assert.equal(st.mode & 0o777, 0o600);
    const stored = await fileBytes();
    assert.deepEqual(ownTrackList.parse(JSON.parse(stored!)).tracks, [track]);
    const listed = await https(base, 'GET', '/v1/tracks/own', { client: ops.support });
    assert.deepEqual(ownTrackList.parse(JSON.parse(listed.body)).tracks, [track]);
    const audit = (await readAudit(data.dir)).filter((r) => r.event === 'tracks');
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.role, 'dealer');
    assert.match(audit[0]!.detail, /0 -> 1/);

    for (const body of [{ tracks: [{ ...track, id: 'own-ffffffffffffffff' }] }, '{"tracks":[', { tracks: [track, track] }]) {
      assert.equal((await push(ops.owner, body)).status, 400);
      assert.equal(await fileBytes(), stored, 'unchanged after a refused push');
    }
    assert.equal((await push(ops.staff, { tracks: [] })).status, 403);
    assert.equal(await fileBytes(), stored);

    // Pushed while running: this run keeps the catalog alone, where no track is near.
    await new Promise((r) => setTimeout(r, 6000));
    assert.deepEqual(live.events.filter((e) => e.event === 'lap'), [], 'no lap timed at a venue the catalog does not know');
  } finally {
    live.close();
  }
});

test('from its next start the unit times live laps on the pushed track', async () => {
  await unit!.stop();
  unit = undefined;
  await boot();
  const live = await openLive(base, ops.owner);
  try {
    // The recording's laps are 138.9, 141.6 and 142.2 s on its own line, and the pushed line is
    // elsewhere on the lap. (A lap that spans the restart, resumed with the session, is longer.)
    const laps = () => live.events.filter((e) => e.event === 'lap').map((e) => liveLap.parse(JSON.parse(e.data)));
    await live.until(() => laps().some((l) => l.timeMs > 135_000 && l.timeMs < 146_000), 60_000, 'a lap of about 140 s');
    for (const l of laps()) {
      assert.equal(l.trackId, track.id);
      assert.equal(l.trackName, 'Moved Everland');
    }
  } finally {
    live.close();
  }
});
