import { haversineM, midpoint, trackDisplayName, type LatLon, type TrackDefinition, type TrackEntry } from '@pitwall/protocol';

/** Default radius of `near`: a venue and its neighbours. */
export const NEAR_M = 50_000;

/**
 * The tracks as a person picks them (names, lengths), optionally only those whose start/finish
 * is within `withinM` of `near`, nearest first; else by name.
 */
export function trackEntries(tracks: readonly TrackDefinition[], ownIds: ReadonlySet<string>, near?: LatLon, withinM = NEAR_M): TrackEntry[] {
  const entries = tracks.map((t) => ({
    id: t.id,
    name: trackDisplayName(t),
    lengthM: t.lengthM,
    distanceM: near ? haversineM(near, midpoint(t.startFinish.a, t.startFinish.b)) : null,
    own: ownIds.has(t.id),
  }));
  if (!near) return entries.sort((a, b) => a.name.localeCompare(b.name));
  return entries.filter((e) => e.distanceM! <= withinM).sort((a, b) => a.distanceM! - b.distanceM!);
}

/** "LAT,LON" as typed on a command line, or null. */
export function parseLatLon(text: string): LatLon | null {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return null;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : null;
}
