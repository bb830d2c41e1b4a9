// Test-only: a session driven at Ridge Motorsports Park, whose catalog has a 767 m layout (GP)
// and two of 3.85 km: two warm-up laps of GP, then three of Road, at 10 Hz with GNSS noise.
import type { SessionData, SessionFix, TrackDefinition } from '@pitwall/protocol';
import { Route, besideLine, lapSpeed, loopFrom } from '../../../protocol/test/helpers/outline-drive.js';
import { seededRandom } from '../../../protocol/test/seeded-random.js';

export const RIDGE_GP = 'ridge-motorsports-park-ridge-gp';
export const RIDGE_ROAD = 'ridge-motorsports-park-ridge-road';

/** Two warm-up laps of Ridge's short layout, then three of the long one, at 10 Hz. */
export function ridgeSession(tracks: readonly TrackDefinition[], sessionId = 's-ridge'): SessionData {
  const [gp, road] = [tracks.find((t) => t.id === RIDGE_GP)!, tracks.find((t) => t.id === RIDGE_ROAD)!];
  const start = besideLine(road);
  const gpLoop = loopFrom(gp, start);
  const route = new Route(start).stand(10).drive([gpLoop.at(-1)!], 8);
  for (let i = 0; i < 2; i++) route.drive(gpLoop, lapSpeed(gp));
  const roadLoop = loopFrom(road, route.position);
  route.drive([roadLoop.at(-1)!], 10);
  for (let i = 0; i < 3; i++) route.drive(roadLoop, lapSpeed(road));
  route.drive(roadLoop.slice(0, 20), 30).stand(10);
  const fixes: SessionFix[] = route.sample(10, { rand: seededRandom(4), sigmaM: 1 }).map((f) => ({
    t: f.t, fix: '3d', lat: f.lat, lon: f.lon, altM: 100, speedMps: f.speedMps ?? null, courseDeg: null, satellites: 12, hdop: 0.8,
  }));
  const header = {
    format: 'pitwall-session', version: 1, sessionId, unitId: 'unit-r', firmwareVersion: '0.1.0',
    startedAt: new Date(fixes[0]!.t).toISOString(), trackId: RIDGE_GP, driver: 'Kim', gnssRateHz: 10, imu: null,
  } as const;
  return { header, fixes, imu: [], events: [], summary: null, stats: { corruptChunks: [], missingSeqs: [], tornBytes: 0, goodLength: 0 } } as unknown as SessionData;
}

/** The same drive moved 20 degrees south: a venue no catalog track is near (what own tracks are drawn from). */
export function farRidgeSession(tracks: readonly TrackDefinition[], sessionId = 's-far'): SessionData {
  const far = ridgeSession(tracks, sessionId);
  for (const f of far.fixes) f.lat! -= 20;
  return far;
}
