import { readFileSync } from 'node:fs';
import { DEFAULT_TRACK_CATALOG, parseTrackCatalog, type TrackDefinition } from '../../src/tracks/index.js';

export const catalog = (): TrackDefinition[] => parseTrackCatalog(JSON.parse(readFileSync(DEFAULT_TRACK_CATALOG, 'utf8'))).tracks;

/** The layouts of each venue that has more than one. */
export function venuesWithLayouts(tracks: readonly TrackDefinition[]): TrackDefinition[][] {
  const byVenue = new Map<string, TrackDefinition[]>();
  for (const t of tracks) byVenue.set(t.venue, [...(byVenue.get(t.venue) ?? []), t]);
  return [...byVenue.values()].filter((layouts) => layouts.length > 1);
}
