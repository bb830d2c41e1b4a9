import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { UnitId } from '../device-api/unit-id.js';
import { LogRecord } from './log-record.js';

export const CrashKind = Type.Union([
  Type.Literal('uncaught-exception'),
  Type.Literal('unhandled-rejection'),
  Type.Literal('fatal-error'),
  Type.Literal('signal'),
  Type.Literal('hang'),
  Type.Literal('out-of-memory'),
]);
export type CrashKind = Static<typeof CrashKind>;

/** GET /v1/crashes lists these; GET /v1/crashes/:id returns the whole CrashDump. */
export const CrashSummary = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,80}$' }),
    time: Type.String(),
    kind: CrashKind,
    message: Type.String(),
    fw: Type.String(),
    commit: Type.String(),
    boot: Type.String(),
    sizeB: Type.Integer({ minimum: 0 }),
    confirmed: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type CrashSummary = Static<typeof CrashSummary>;

export const CrashList = Type.Object({ crashes: Type.Array(CrashSummary) }, { additionalProperties: false });
export type CrashList = Static<typeof CrashList>;
export const crashList = validator('CrashList', CrashList);

export const CrashDump = Type.Object(
  {
    id: Type.String(),
    time: Type.String(),
    unit: UnitId,
    boot: Type.String(),
    fw: Type.String(),
    commit: Type.String(),
    kind: CrashKind,
    error: Type.Object(
      { name: Type.String(), message: Type.String(), stack: Type.Union([Type.String(), Type.Null()]) },
      { additionalProperties: false },
    ),
    /** The last records (at most 500) from the in-memory ring, oldest first. */
    lastLogs: Type.Array(LogRecord, { maxItems: 500 }),
    /** Last known state: GNSS fix, recording state, slot, config hash. */
    state: Type.Record(Type.String(), Type.Unknown()),
    /** Node's diagnostic report (network lookups excluded), when one could be made. */
    report: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  },
  { additionalProperties: false },
);
export type CrashDump = Static<typeof CrashDump>;
export const crashDump = validator('CrashDump', CrashDump);

/** POST /v1/crashes/confirm: the companion has stored these dumps; the unit may drop them. */
export const CrashConfirm = Type.Object({ ids: Type.Array(Type.String(), { maxItems: 1000 }) }, { additionalProperties: false });
export type CrashConfirm = Static<typeof CrashConfirm>;

/** The unit's answer to POST /v1/crashes/confirm: how many of the ids it held and dropped. */
export const CrashConfirmResult = Type.Object({ confirmed: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
export type CrashConfirmResult = Static<typeof CrashConfirmResult>;
