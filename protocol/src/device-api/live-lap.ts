import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

/** One `lap` event on GET /v1/live: a completed lap. */
export const LiveLap = Type.Object(
  {
    trackId: Type.Union([Type.String(), Type.Null()]),
    /** The layout's name as a person reads it ("Sonoma Raceway — Cup"). */
    trackName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    lap: Type.Integer({ minimum: 1 }),
    /** Crossing times (interpolated), ISO 8601 UTC. */
    startTime: Type.String(),
    endTime: Type.String(),
    timeMs: Type.Number({ minimum: 0 }),
    /** One split per sector when every sector line was crossed in order, else empty. */
    sectorsMs: Type.Array(Type.Number({ minimum: 0 }), { maxItems: 64 }),
    distanceM: Type.Number({ minimum: 0 }),
    /** Fastest lap so far in this run. */
    best: Type.Boolean(),
    sessionId: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type LiveLap = Static<typeof LiveLap>;
export const liveLap = validator('LiveLap', LiveLap);
