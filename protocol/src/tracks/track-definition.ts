import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

export const GeoPoint = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
  },
  { additionalProperties: false },
);
export type GeoPoint = Static<typeof GeoPoint>;

/**
 * A timing line across the track. Direction matters: driving forward, `a` is on the driver's
 * left and `b` on the right, so a crossing counts only when it goes from the right-hand side of
 * a->b to its left-hand side.
 */
export const TimingLine = Type.Object(
  { a: GeoPoint, b: GeoPoint },
  { additionalProperties: false, description: 'a on the left, b on the right, driving forward' },
);
export type TimingLine = Static<typeof TimingLine>;

/** [lat, lon] in degrees; the compact form for long point lists. */
export const LatLonTuple = Type.Tuple([Type.Number({ minimum: -90, maximum: 90 }), Type.Number({ minimum: -180, maximum: 180 })]);
export type LatLonTuple = Static<typeof LatLonTuple>;

export const PitLane = Type.Object(
  {
    entry: Type.Optional(TimingLine),
    exit: Type.Optional(TimingLine),
    /** Closed polygon around the pit lane. */
    polygon: Type.Optional(Type.Array(LatLonTuple, { minItems: 3 })),
  },
  { additionalProperties: false },
);
export type PitLane = Static<typeof PitLane>;

export const TrackOrigin = Type.Object(
  {
    /** Upstream dataset, e.g. `zaggyai/track_data`. */
    source: Type.String({ minLength: 1 }),
    /** SPDX identifier of the upstream licence. */
    licence: Type.String({ minLength: 1 }),
    /** Upstream file or record id. */
    ref: Type.String({ minLength: 1 }),
    /** How the timing lines were obtained, in a few words. */
    note: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type TrackOrigin = Static<typeof TrackOrigin>;

/** One layout of one venue. */
export const TrackDefinition = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 96 }),
    venue: Type.String({ minLength: 1 }),
    layout: Type.String({ minLength: 1 }),
    /** ISO 3166-1 alpha-2, where known. */
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    startFinish: TimingLine,
    /** Sector boundaries in driving order; n lines make n + 1 sectors. */
    sectors: Type.Optional(Type.Array(TimingLine)),
    pitLane: Type.Optional(PitLane),
    /** Nominal lap length, metres. */
    lengthM: Type.Number({ exclusiveMinimum: 0 }),
    /** Closed centre-line in the driving direction, starting near the start/finish. */
    outline: Type.Optional(Type.Array(LatLonTuple, { minItems: 3 })),
    origin: TrackOrigin,
  },
  { additionalProperties: false },
);
export type TrackDefinition = Static<typeof TrackDefinition>;
export const trackDefinition = validator('TrackDefinition', TrackDefinition);

export const TRACK_CATALOG_VERSION = 1;

/** The file `resources/tracks/catalog.json`. */
export const TrackCatalog = Type.Object(
  {
    version: Type.Literal(TRACK_CATALOG_VERSION),
    tracks: Type.Array(TrackDefinition),
  },
  { additionalProperties: false },
);
export type TrackCatalog = Static<typeof TrackCatalog>;
export const trackCatalog = validator('TrackCatalog', TrackCatalog);

/** Parses a catalog and checks what the schema cannot: ids are unique. Throws SchemaError-like Error. */
export function parseTrackCatalog(value: unknown): TrackCatalog {
  const catalog = trackCatalog.parse(value);
  const seen = new Set<string>();
  for (const t of catalog.tracks) {
    if (seen.has(t.id)) throw new Error(`invalid TrackCatalog: duplicate track id ${t.id}`);
    seen.add(t.id);
  }
  return catalog;
}
