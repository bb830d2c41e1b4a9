import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { haversineM } from '../timing/geo.js';
import { ownTrackId } from '../timing/own-track.js';
import { TrackDefinition, type TimingLine } from './track-definition.js';

/** At most this many own tracks on a unit. */
export const OWN_TRACKS_MAX = 200;
/** Points of one track (outline and pit polygon together): 10 m apart, a 50 km lap. */
export const OWN_TRACK_POINTS_MAX = 5000;
export const OWN_TRACK_SECTORS_MAX = 32;
/** The body of `PUT /v1/tracks/own`: room for the list at its bounds, no more. */
export const OWN_TRACKS_BODY_MAX_B = 4 * 1024 * 1024;
const NAME_MAX = 120;
const TEXT_MAX = 200;
const LENGTH_M = { min: 100, max: 100_000 };
const LINE_M = { min: 1, max: 500 };

/**
 * The companion's own tracks as pushed to a unit (`PUT /v1/tracks/own`, replacing the unit's
 * list) and as the unit keeps them (DATA_DIR/tracks/own-tracks.json). The schema checks the
 * shape; `ownTrackListProblem` what it cannot (bounds, finite numbers, ids from the geometry).
 */
export const OwnTrackList = Type.Object({ tracks: Type.Array(TrackDefinition, { maxItems: OWN_TRACKS_MAX }) }, { additionalProperties: false });
export type OwnTrackList = Static<typeof OwnTrackList>;
export const ownTrackList = validator('OwnTrackList', OwnTrackList);

/** The unit's answer to a push: how many own tracks it now holds, and from when it times them. */
export const OwnTrackPushResult = Type.Object(
  {
    tracks: Type.Integer({ minimum: 0 }),
    /** The data path loads its tracks when it starts: the unit's next start. */
    appliesFrom: Type.Literal('next-start'),
  },
  { additionalProperties: false },
);
export type OwnTrackPushResult = Static<typeof OwnTrackPushResult>;
export const ownTrackPushResult = validator('OwnTrackPushResult', OwnTrackPushResult);

const finite = (...xs: number[]) => xs.every((x) => Number.isFinite(x));

function lineProblem(l: TimingLine, what: string): string | null {
  if (!finite(l.a.lat, l.a.lon, l.b.lat, l.b.lon)) return `${what} has a coordinate that is not a finite number`;
  const m = haversineM(l.a, l.b);
  return m >= LINE_M.min && m <= LINE_M.max ? null : `${what} is ${m.toFixed(1)} m wide (${LINE_M.min} to ${LINE_M.max} m)`;
}

function trackProblem(t: TrackDefinition): string | null {
  for (const [what, text] of [['venue', t.venue], ['layout', t.layout]] as const) {
    if (text.length > NAME_MAX || /\p{Cc}/u.test(text)) return `the ${what} name is longer than ${NAME_MAX} characters or holds control characters`;
  }
  if (Object.values(t.origin).some((s) => s !== undefined && (s.length > TEXT_MAX || /\p{Cc}/u.test(s)))) return `an origin field is longer than ${TEXT_MAX} characters or holds control characters`;
  if (!finite(t.lengthM) || t.lengthM < LENGTH_M.min || t.lengthM > LENGTH_M.max) return `lengthM must be ${LENGTH_M.min} to ${LENGTH_M.max} m`;
  if (!t.outline) return 'an own track needs its outline (its id is computed from it)';
  const polygon = t.pitLane?.polygon ?? [];
  if (t.outline.length + polygon.length > OWN_TRACK_POINTS_MAX) return `more than ${OWN_TRACK_POINTS_MAX} points`;
  if (![...t.outline, ...polygon].every(([lat, lon]) => finite(lat, lon))) return 'a point is not a pair of finite numbers';
  if ((t.sectors?.length ?? 0) > OWN_TRACK_SECTORS_MAX) return `more than ${OWN_TRACK_SECTORS_MAX} sector lines`;
  const lines: [TimingLine, string][] = [[t.startFinish, 'the start/finish line'], ...(t.sectors ?? []).map((l, i): [TimingLine, string] => [l, `sector line ${i + 1}`])];
  if (t.pitLane?.entry) lines.push([t.pitLane.entry, 'the pit entry line']);
  if (t.pitLane?.exit) lines.push([t.pitLane.exit, 'the pit exit line']);
  for (const [l, what] of lines) {
    const p = lineProblem(l, what);
    if (p) return p;
  }
  const id = ownTrackId({ startFinish: t.startFinish, lengthM: t.lengthM, outline: t.outline });
  if (t.id !== id) return `id ${t.id} is not the id of its geometry (${id}): an own track's id is computed from its lines`;
  return null;
}

/**
 * What is wrong with a list the schema accepted, in words for the sender, or null: every track
 * bounded, every number finite, every id the one its geometry gives (so a peer cannot pass its
 * track off as a catalog layout or another own track) and no id twice.
 */
export function ownTrackListProblem(list: OwnTrackList): string | null {
  const seen = new Set<string>();
  for (const [i, t] of list.tracks.entries()) {
    const p = trackProblem(t);
    if (p) return `track ${i + 1} (${t.id.slice(0, 96)}): ${p}`;
    if (seen.has(t.id)) return `track ${i + 1}: id ${t.id} is listed twice`;
    seen.add(t.id);
  }
  return null;
}
