import { Type, type Static } from '@sinclair/typebox';

/** Fleet distributions of one track from the laps in this companion's store (methods `fleet:*`). */
const Num = Type.Number();
const Name = Type.String({ maxLength: 200 });
const TrackId = Type.String({ minLength: 1, maxLength: 128 });

export const BoxStatsSchema = Type.Object(
  { n: Type.Integer(), min: Num, q1: Num, median: Num, q3: Num, max: Num, lowWhisker: Num, highWhisker: Num, mean: Num },
  { additionalProperties: false },
);
const BoxOrNull = Type.Union([BoxStatsSchema, Type.Null()]);
export const HistogramSchema = Type.Object(
  { lo: Num, width: Num, counts: Type.Array(Type.Integer(), { maxItems: 200 }), under: Type.Integer(), over: Type.Integer() },
  { additionalProperties: false },
);
export const DistributionSchema = Type.Object(
  { box: BoxOrNull, histogram: Type.Union([HistogramSchema, Type.Null()]), marked: BoxOrNull },
  { additionalProperties: false },
);

export const FleetTrack = Type.Object(
  { trackId: Type.String(), name: Type.String(), laps: Type.Integer(), drivers: Type.Array(Name), units: Type.Array(Name) },
  { additionalProperties: false },
);
export type FleetTrack = Static<typeof FleetTrack>;

export const FleetDistributionResult = Type.Object(
  {
    trackId: Type.String(),
    trackName: Type.String(),
    groupBy: Type.Union([Type.Literal('driver'), Type.Literal('unit')]),
    mark: Type.Union([Name, Type.Null()]),
    laps: Type.Integer(),
    members: Type.Array(
      Type.Object(
        { name: Name, laps: Type.Integer(), bestMs: Num, theoreticalBestMs: Type.Union([Num, Type.Null()]), lapTimes: BoxStatsSchema },
        { additionalProperties: false },
      ),
    ),
    lapTimes: DistributionSchema,
    sectors: Type.Array(DistributionSchema, { maxItems: 64 }),
    corners: Type.Array(
      Type.Object(
        { number: Type.Integer(), direction: Type.Union([Type.Literal('left'), Type.Literal('right')]), apexM: Num, minKmh: DistributionSchema },
        { additionalProperties: false },
      ),
      { maxItems: 200 },
    ),
    theoreticalBest: Type.Object(
      { ms: Type.Union([Num, Type.Null()]), sectors: Type.Array(Type.Object({ ms: Num, by: Name }, { additionalProperties: false }), { maxItems: 64 }) },
      { additionalProperties: false },
    ),
    progress: Type.Array(
      Type.Object(
        { name: Name, days: Type.Array(Type.Object({ day: Type.String(), bestMs: Num, laps: Type.Integer() }, { additionalProperties: false })) },
        { additionalProperties: false },
      ),
    ),
    markedLapsMs: Type.Array(Num, { maxItems: 500 }),
    /** Time to read and compute, ms (shown in the UI; the benchmark measures it properly). */
    computeMs: Num,
  },
  { additionalProperties: false },
);
export type FleetDistributionResult = Static<typeof FleetDistributionResult>;

export const fleetMethods = {
  /** Tracks with laps in the store, with their drivers and units. */
  'fleet:tracks': { params: Type.Object({}, { additionalProperties: false }), result: Type.Array(FleetTrack) },
  'fleet:distribution': {
    params: Type.Object(
      {
        trackId: TrackId,
        groupBy: Type.Optional(Type.Union([Type.Literal('driver'), Type.Literal('unit')])),
        /** The group's members (drivers or units); default every one. */
        members: Type.Optional(Type.Array(Name, { maxItems: 1000 })),
        /** The member whose laps are marked. */
        mark: Type.Optional(Name),
      },
      { additionalProperties: false },
    ),
    result: FleetDistributionResult,
  },
} as const;
