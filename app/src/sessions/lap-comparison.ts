import { bearingDeg, CompanionError, compareLaps, lineAcross, trackAnalysis, trackDisplayName, type CornerSpeeds, type LapComparisonResult, type LapKey, type TrackDefinition } from '@pitwall/protocol';
import type { SessionStore, StoredLap, StoredSession } from './session-store.js';

/** Fixes read either side of a lap: the speed at its line crossings comes from them. */
const MARGIN_MS = 1000;

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const kmh = (c: CornerSpeeds) => ({ entryKmh: r2(c.entryMps * 3.6), minKmh: r2(c.minMps * 3.6), exitKmh: r2(c.exitMps * 3.6), minAtM: r1(c.minAtM) });

interface FoundLap {
  session: StoredSession;
  lap: StoredLap;
}

function findLap(store: SessionStore, key: LapKey): FoundLap {
  const session = store.find(key.session);
  if (!session) throw new CompanionError('not-found', `no session ${key.session} in this companion's store`);
  const lap = store.laps(key.session).find((l) => l.lap === key.lap);
  if (!lap) throw new CompanionError('not-found', `session ${key.session} has no lap ${key.lap}`);
  return { session, lap };
}

/**
 * Two stored laps of one track, from any sessions, units and GNSS rates, compared by distance
 * along the track (protocol's compareLaps): the traces on 2 m stations, sectors, corners.
 * Laps timed on different layouts are refused: their distances do not match.
 */
export function compareStoredLaps(store: SessionStore, tracks: readonly TrackDefinition[], a: LapKey, b: LapKey): LapComparisonResult {
  const la = findLap(store, a);
  const lb = findLap(store, b);
  if (la.lap.trackId !== lb.lap.trackId) {
    throw new CompanionError('invalid-params', `lap ${a.session}:${a.lap} was timed on ${la.lap.trackId} and ${b.session}:${b.lap} on ${lb.lap.trackId}: only laps of one layout compare by distance`);
  }
  const input = (l: FoundLap) => ({ ...l.lap, fixes: store.fixes(l.session.id, l.lap.startT - MARGIN_MS, l.lap.endT + MARGIN_MS) });
  const ia = input(la);
  const ib = input(lb);
  const path = ia.fixes.flatMap((f): [number, number][] => (f.lat !== null && f.lon !== null && f.t >= ia.startT && f.t <= ia.endT ? [[f.lat, f.lon]] : []));
  if (path.length < 3) throw new CompanionError('invalid-params', `lap ${a.session}:${a.lap} has too few positions to measure along`);
  // A layout no longer in the catalog (or never in this one): lap A's own path is the line, from where it crossed.
  const [p0, p1] = [{ lat: path[0]![0], lon: path[0]![1] }, { lat: path[1]![0], lon: path[1]![1] }];
  const track = tracks.find((t) => t.id === la.lap.trackId) ?? {
    id: la.lap.trackId,
    venue: la.lap.trackId,
    layout: 'lap A',
    startFinish: lineAcross(p0, bearingDeg(p0, p1), 30),
    lengthM: Math.max(1, la.lap.distanceM),
    origin: { source: 'lap', licence: 'none', ref: `${a.session}:${a.lap}` },
  };
  const analysis = trackAnalysis(track, path);
  if (!analysis) throw new CompanionError('invalid-params', `the layout ${track.id} has no outline to measure along`);
  const c = compareLaps(analysis, ia, ib);
  const lapOut = (l: FoundLap, fixes: typeof ia.fixes, trace: { elapsedMs: number[]; speedMps: number[] }) => ({
    session: l.session.id,
    lap: l.lap.lap,
    timeMs: l.lap.timeMs,
    driver: l.session.driver,
    unitName: l.session.unitName,
    startedAt: l.lap.startT,
    rateHz: r1((fixes.filter((f) => f.t > l.lap.startT && f.t < l.lap.endT).length * 1000) / l.lap.timeMs),
    elapsedMs: trace.elapsedMs.map(r1),
    speedKmh: trace.speedMps.map((v) => r1(v * 3.6)),
  });
  return {
    track: { id: track.id, name: trackDisplayName(track), lengthM: r1(c.lengthM) },
    a: lapOut(la, ia.fixes, c.a),
    b: lapOut(lb, ib.fixes, c.b),
    stationsM: c.stationsM.map(r1),
    deltaMs: c.deltaMs.map(r1),
    sectors: c.sectors,
    corners: c.corners.map((k) => ({ ...k.corner, entryM: r1(k.corner.entryM), apexM: r1(k.corner.apexM), exitM: r1(k.corner.exitM), radiusM: r1(k.corner.radiusM), a: kmh(k.a), b: kmh(k.b), deltaMs: r1(k.deltaMs) })).map(({ turnDeg: _t, ...k }) => k),
  };
}
