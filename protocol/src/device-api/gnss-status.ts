import { Type, type Static } from '@sinclair/typebox';

export const FixType = Type.Union([Type.Literal('none'), Type.Literal('2d'), Type.Literal('3d')]);
export type FixType = Static<typeof FixType>;
/** A fix type as a small integer (session files, stored sample rows), and back. */
export const FIX_CODE = { none: 0, '2d': 1, '3d': 2 } as const satisfies Record<FixType, number>;
export const FIX_NAME = ['none', '2d', '3d'] as const satisfies readonly FixType[];

export const Position = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    altM: Type.Union([Type.Number(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type Position = Static<typeof Position>;

/** The receiver as the unit sees it now. */
export const GnssStatus = Type.Object(
  {
    fix: FixType,
    satellites: Type.Integer({ minimum: 0 }),
    hdop: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    position: Type.Union([Position, Type.Null()]),
    speedMps: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    courseDeg: Type.Union([Type.Number(), Type.Null()]),
    /** Seconds from the reader opening the port to the first fix; null until then. */
    timeToFirstFixS: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    /** Receiver time of the last fix (ISO 8601 UTC). */
    lastFixTime: Type.Union([Type.String(), Type.Null()]),
    /** Fixes per second over the last few seconds. */
    fixRateHz: Type.Number({ minimum: 0 }),
    sentences: Type.Object(
      { accepted: Type.Integer({ minimum: 0 }), badChecksum: Type.Integer({ minimum: 0 }), ignored: Type.Integer({ minimum: 0 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type GnssStatus = Static<typeof GnssStatus>;
