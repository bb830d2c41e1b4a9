import { Type, type Static } from '@sinclair/typebox';

/** Two laps compared by distance along their track (method `sessions:compare`). */
const Num = Type.Number();
const NumOrNull = Type.Union([Type.Number(), Type.Null()]);
const StrOrNull = Type.Union([Type.String(), Type.Null()]);
/** Stations on a 2 m axis: a 25 km lap at most. */
const Trace = Type.Array(Num, { maxItems: 12_600 });

export const LapKey = Type.Object({ session: Type.Integer({ minimum: 1 }), lap: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export type LapKey = Static<typeof LapKey>;

export const ComparedLap = Type.Object(
  {
    session: Type.Integer(),
    lap: Type.Integer(),
    timeMs: Num,
    driver: StrOrNull,
    unitName: Type.String(),
    startedAt: Num,
    /** Fixes a second in the lap: the unit's GNSS rate. */
    rateHz: Num,
    elapsedMs: Trace,
    speedKmh: Trace,
  },
  { additionalProperties: false },
);
export type ComparedLap = Static<typeof ComparedLap>;

export const CornerSpeedsKmh = Type.Object({ entryKmh: Num, minKmh: Num, exitKmh: Num, minAtM: Num }, { additionalProperties: false });
export type CornerSpeedsKmh = Static<typeof CornerSpeedsKmh>;

export const CornerRow = Type.Object(
  {
    number: Type.Integer(),
    direction: Type.Union([Type.Literal('left'), Type.Literal('right')]),
    entryM: Num,
    apexM: Num,
    exitM: Num,
    radiusM: Num,
    a: CornerSpeedsKmh,
    b: CornerSpeedsKmh,
    /** Time b lost (positive) or gained from entry to exit, ms. */
    deltaMs: Num,
  },
  { additionalProperties: false },
);
export type CornerRow = Static<typeof CornerRow>;

export const LapComparisonResult = Type.Object(
  {
    track: Type.Object({ id: Type.String(), name: Type.String(), lengthM: Num }, { additionalProperties: false }),
    a: ComparedLap,
    b: ComparedLap,
    stationsM: Trace,
    /** b's elapsed minus a's at each station (ms); positive: b behind. */
    deltaMs: Trace,
    sectors: Type.Array(Type.Object({ sector: Type.Integer(), aMs: NumOrNull, bMs: NumOrNull, deltaMs: NumOrNull }, { additionalProperties: false }), { maxItems: 64 }),
    corners: Type.Array(CornerRow, { maxItems: 200 }),
  },
  { additionalProperties: false },
);
export type LapComparisonResult = Static<typeof LapComparisonResult>;

export const compareMethods = {
  'sessions:compare': { params: Type.Object({ a: LapKey, b: LapKey }, { additionalProperties: false }), result: LapComparisonResult },
} as const;
