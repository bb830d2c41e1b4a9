import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { FixType } from '../device-api/gnss-status.js';

/** The JSON header at the start of a session file (see session-format.md). */
export const SessionHeader = Type.Object(
  {
    format: Type.Literal('pitwall-session'),
    version: Type.Literal(1),
    sessionId: Type.String({ minLength: 1, maxLength: 64 }),
    unitId: Type.String({ minLength: 1, maxLength: 64 }),
    firmwareVersion: Type.String({ maxLength: 64 }),
    /** Receiver time of the first sample, ISO 8601 UTC. */
    startedAt: Type.String({ maxLength: 40 }),
    trackId: Type.Union([Type.String({ maxLength: 128 }), Type.Null()]),
    driver: Type.Union([Type.String({ maxLength: 128 }), Type.Null()]),
    gnssRateHz: Type.Number({ minimum: 0, maximum: 100 }),
    imu: Type.Union([
      Type.Object({ chip: Type.String({ maxLength: 32 }), rateHz: Type.Number({ minimum: 0, maximum: 10000 }), accelRangeG: Type.Number(), gyroRangeDps: Type.Number() }, { additionalProperties: false }),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
export type SessionHeader = Static<typeof SessionHeader>;
export const sessionHeader = validator('SessionHeader', SessionHeader);

/** A completed lap; `t` is when it ended. */
export const SessionLapEvent = Type.Object(
  {
    type: Type.Literal('lap'),
    lap: Type.Integer({ minimum: 0 }),
    t: Type.Number(),
    timeMs: Type.Number({ minimum: 0 }),
    sectorsMs: Type.Array(Type.Number({ minimum: 0 }), { maxItems: 64 }),
    distanceM: Type.Number({ minimum: 0 }),
    best: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type SessionLapEvent = Static<typeof SessionLapEvent>;

/**
 * The track chooser decided on a layout (`reason` 'lap' or 'revisit'; 'provisional' while it is
 * only the nearest). Laps recorded before it are replaced by `laps`, the laps already driven
 * re-timed on this layout; later lap events add to them.
 */
export const SessionTrackEvent = Type.Object(
  {
    type: Type.Literal('track'),
    t: Type.Number(),
    trackId: Type.String({ minLength: 1, maxLength: 128 }),
    reason: Type.Union([Type.Literal('provisional'), Type.Literal('lap'), Type.Literal('revisit')]),
    laps: Type.Array(SessionLapEvent, { maxItems: 10_000 }),
  },
  { additionalProperties: false },
);
export type SessionTrackEvent = Static<typeof SessionTrackEvent>;

/** Lap, sector and track events, times in ms since the Unix epoch (fractional: interpolated crossings). */
export const SessionEvent = Type.Union([
  Type.Object({ type: Type.Literal('lap-start'), lap: Type.Integer({ minimum: 0 }), t: Type.Number() }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('sector'), lap: Type.Integer({ minimum: 0 }), sector: Type.Integer({ minimum: 0 }), t: Type.Number(), splitMs: Type.Number({ minimum: 0 }) },
    { additionalProperties: false },
  ),
  SessionLapEvent,
  SessionTrackEvent,
  Type.Object({ type: Type.Literal('marker'), t: Type.Number(), label: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
]);
export type SessionEvent = Static<typeof SessionEvent>;
export const sessionEvent = validator('SessionEvent', SessionEvent);

/** The last chunk of a session closed cleanly. */
export const SessionSummary = Type.Object(
  {
    endedAt: Type.String({ maxLength: 40 }),
    fixes: Type.Integer({ minimum: 0 }),
    imuSamples: Type.Integer({ minimum: 0 }),
    laps: Type.Integer({ minimum: 0 }),
    bestLapMs: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    /** The track as finally picked (it may differ from the header's when layouts share a line). */
    trackId: Type.Optional(Type.Union([Type.String({ maxLength: 128 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type SessionSummary = Static<typeof SessionSummary>;
export const sessionSummary = validator('SessionSummary', SessionSummary);

/** One GNSS fix as stored (fixed-point: lat/lon 1e-7 deg, alt 1 cm, speed 1 cm/s, course 0.01 deg, HDOP 0.1). */
export const SessionFix = Type.Object({
  t: Type.Number(),
  fix: FixType,
  lat: Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()]),
  lon: Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()]),
  altM: Type.Union([Type.Number(), Type.Null()]),
  speedMps: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  courseDeg: Type.Union([Type.Number(), Type.Null()]),
  satellites: Type.Integer({ minimum: 0, maximum: 255 }),
  hdop: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
});
export type SessionFix = Static<typeof SessionFix>;

/** One IMU sample as stored (fixed-point: 0.01 m/s^2, 0.01 deg/s; body frame x forward, y left, z up). */
export interface SessionImuSample {
  t: number;
  accelMps2: [number, number, number];
  gyroDps: [number, number, number];
}

/** The session's laps as the unit finally timed them: a track event replaces the laps before it. */
export function sessionLaps(events: readonly SessionEvent[]): SessionLapEvent[] {
  let laps: SessionLapEvent[] = [];
  for (const e of events) {
    if (e.type === 'track') laps = [...e.laps];
    else if (e.type === 'lap') laps.push(e);
  }
  return laps;
}
