import { Type, type Static } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';

/** Sessions and sync in the UI contract (methods `sessions:*`, `sync:*`; event `sessions:progress`). */
const Num = Type.Number();
const NumOrNull = Type.Union([Type.Number(), Type.Null()]);
const StrOrNull = Type.Union([Type.String(), Type.Null()]);
const SessionRef = Type.Integer({ minimum: 1 });

export const SessionListEntry = Type.Object(
  {
    id: SessionRef,
    unitId: Type.String(),
    sessionId: Type.String(),
    sha256: Type.String(),
    unitName: Type.String(),
    driver: StrOrNull,
    trackId: StrOrNull,
    trackName: StrOrNull,
    /** The layout was chosen by hand (else by the track chooser). */
    trackByHand: Type.Boolean(),
    startedAt: Num,
    endedAt: Num,
    fixes: Type.Integer(),
    imuSamples: Type.Integer(),
    sizeB: Type.Integer(),
    laps: Type.Integer(),
    bestLapMs: NumOrNull,
  },
  { additionalProperties: false },
);
export type SessionListEntry = Static<typeof SessionListEntry>;

export const SessionLap = Type.Object(
  { lap: Type.Integer(), startT: Num, endT: Num, timeMs: Num, distanceM: Num, sectorsMs: Type.Array(Num, { maxItems: 64 }) },
  { additionalProperties: false },
);
export type SessionLap = Static<typeof SessionLap>;

export const SessionLaps = Type.Object(
  {
    session: SessionListEntry,
    laps: Type.Array(SessionLap),
    bestIndex: Type.Integer(),
    theoreticalBestMs: NumOrNull,
    consistencyMs: NumOrNull,
    bestSectorsMs: Type.Array(Num),
  },
  { additionalProperties: false },
);
export type SessionLaps = Static<typeof SessionLaps>;

/**
 * A lap as parallel arrays, thinned for drawing: distance from the line (m), elapsed (ms), speed
 * (km/h), position, and the delta to the reference lap asked for (ms, positive: slower; by
 * distance, computed in the core), else null.
 */
export const SessionLapTrace = Type.Object(
  {
    session: SessionRef,
    lap: Type.Integer(),
    distanceM: Type.Array(Num),
    elapsedMs: Type.Array(Num),
    speedKmh: Type.Array(Num),
    lat: Type.Array(Num),
    lon: Type.Array(Num),
    deltaMs: Type.Union([Type.Array(Num), Type.Null()]),
  },
  { additionalProperties: false },
);
export type SessionLapTrace = Static<typeof SessionLapTrace>;

export const UnitSyncProgress = Type.Object(
  {
    unitId: Type.String(),
    unitName: Type.String(),
    state: Type.Union([Type.Literal('listing'), Type.Literal('syncing'), Type.Literal('done'), Type.Literal('failed')]),
    sessionsTotal: Type.Integer(),
    sessionsDone: Type.Integer(),
    bytesTotal: Type.Integer(),
    bytesDone: Type.Integer(),
    error: StrOrNull,
  },
  { additionalProperties: false },
);
export const SessionSyncProgress = Type.Object(
  { units: Type.Array(UnitSyncProgress), bytesTotal: Type.Integer(), bytesDone: Type.Integer(), done: Type.Boolean() },
  { additionalProperties: false },
);
export type SessionSyncProgress = Static<typeof SessionSyncProgress>;

export const SyncReport = Type.Object(
  {
    units: Type.Array(
      Type.Object(
        { unitId: Type.String(), unitName: Type.String(), fetched: Type.Integer(), skipped: Type.Integer(), failed: Type.Integer(), error: StrOrNull },
        { additionalProperties: false },
      ),
    ),
    fetched: Type.Integer(),
    resumes: Type.Integer(),
    refetches: Type.Integer(),
  },
  { additionalProperties: false },
);
export type SyncReport = Static<typeof SyncReport>;

export const sessionMethods = {
  'sessions:list': { params: Type.Object({}, { additionalProperties: false }), result: Type.Array(SessionListEntry) },
  'sessions:laps': { params: Type.Object({ session: SessionRef }, { additionalProperties: false }), result: SessionLaps },
  'sessions:trace': {
    params: Type.Object(
      {
        session: SessionRef,
        /** A lap's number, or 0 for the whole session (no delta). */
        lap: Type.Integer({ minimum: 0 }),
        maxPoints: Type.Optional(Type.Integer({ minimum: 10, maximum: 50_000 })),
        /** The lap to compute the delta against (any stored session's). */
        reference: Type.Optional(Type.Object({ session: SessionRef, lap: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })),
      },
      { additionalProperties: false },
    ),
    result: SessionLapTrace,
  },
  'sync:start': { params: Type.Object({ unitId: Type.Optional(UnitId) }, { additionalProperties: false }), result: SyncReport },
} as const;

export const sessionEvents = {
  'sessions:progress': SessionSyncProgress,
} as const;
