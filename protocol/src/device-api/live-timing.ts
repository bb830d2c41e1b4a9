import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

const NullableMs = Type.Union([Type.Number(), Type.Null()]);

/** One `timing` event on GET /v1/live: the lap in progress (about 5 per second while a track is known). */
export const LiveTiming = Type.Object(
  {
    /** Receiver time of the fix this state is for, ISO 8601 UTC. */
    time: Type.String(),
    trackId: Type.Union([Type.String(), Type.Null()]),
    /** The layout's name as a person reads it ("Sonoma Raceway — Cup"). */
    trackName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    /** Lap in progress; 0 until the start/finish line is first crossed. */
    lap: Type.Integer({ minimum: 0 }),
    elapsedMs: NullableMs,
    /** Sector in progress, 0-based. */
    sector: Type.Integer({ minimum: 0 }),
    sectorElapsedMs: NullableMs,
    distanceM: Type.Number({ minimum: 0 }),
    lastLapMs: NullableMs,
    bestLapMs: NullableMs,
    /** Elapsed now minus the best lap's elapsed at the same distance; negative is faster. */
    deltaMs: NullableMs,
    predictedLapMs: NullableMs,
    /** Id of the session being recorded, if any. */
    sessionId: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type LiveTiming = Static<typeof LiveTiming>;
export const liveTiming = validator('LiveTiming', LiveTiming);
