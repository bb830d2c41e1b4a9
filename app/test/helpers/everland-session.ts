// Test-only: a session of the three real Everland laps (AiM Solo, 10 Hz; testdata/laps/
// korellas_everland_aim_solo, MIT), as a unit would store it: every fix, or every n-th (a 5 Hz
// receiver of the same drive), from a unit and driver of its own. The fixes padded across the
// first and last line crossing (padLap) carry no speed, as a receiver's first fix may not.
import type { SessionData, SessionFix } from '@pitwall/protocol';
import { aimLaps, padLap } from '../../../protocol/test/helpers/aim-laps.js';
import { readTestData } from '../../../protocol/test/helpers/test-data.js';

/** The dataset's reference lap times: each lap starts where the one before ended. */
const LAP_MS = [138_948, 141_620, 142_156];

export function everlandSession(o: { unitId: string; sessionId: string; driver: string; every?: number; startMs?: number; pace?: number }): SessionData {
  const laps = aimLaps(readTestData('laps', 'korellas_everland_aim_solo', 'everland_3laps_aim_solo.csv'));
  const t0 = o.startMs ?? Date.UTC(2024, 4, 18, 2, 0, 0);
  const pace = o.pace ?? 1;
  let offset = 0;
  const all = laps.flatMap((lap, i) => {
    const fixes = (i === 0 ? padLap(lap).slice(0, -1) : i === laps.length - 1 ? padLap(lap).slice(1) : lap).map((f) => ({ ...f, t: t0 + (offset + f.t) * pace }));
    offset += LAP_MS[i]!;
    return fixes;
  });
  const every = o.every ?? 1;
  const fixes: SessionFix[] = all
    .filter((_, i) => i % every === 0)
    .map((f) => ({ t: f.t, fix: '3d', lat: f.lat, lon: f.lon, altM: 262, speedMps: f.speedMps === undefined ? null : f.speedMps / pace, courseDeg: null, satellites: 12, hdop: 0.8 }));
  const header = {
    format: 'pitwall-session', version: 1, sessionId: o.sessionId, unitId: o.unitId, firmwareVersion: '0.1.0',
    startedAt: new Date(fixes[0]!.t).toISOString(), trackId: null, driver: o.driver, gnssRateHz: 10 / every, imu: null,
  } as const;
  return { header, fixes, imu: [], events: [], summary: null, stats: { corruptChunks: [], missingSeqs: [], tornBytes: 0, goodLength: 0 } } as unknown as SessionData;
}
