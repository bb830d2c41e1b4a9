import { Type, type Static } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { CrashKind } from '../ops/crash-dump.js';
import { HealthSnapshot } from '../ops/health-snapshot.js';
import { LogLevel, LogRecord } from '../ops/log-record.js';

/**
 * The companion's diagnostics contract (logs, health, crash dumps pulled from units into its
 * store): what the UI asks for and what it gets back. Unit-side wire formats live in ../ops/.
 */

const IsoTime = Type.String({ maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z$' });

/** One stored log record as the list shows it (the full record comes with `logs:record`). */
export const LogRow = Type.Object(
  {
    id: Type.Integer(),
    unitId: UnitId,
    unitName: Type.String(),
    time: Type.String(),
    level: LogLevel,
    subsystem: Type.String(),
    msg: Type.String(),
    boot: Type.String(),
    seq: Type.Integer(),
  },
  { additionalProperties: false },
);
export type LogRow = Static<typeof LogRow>;

export const LogsQueryParams = Type.Object(
  {
    unitId: Type.Optional(UnitId),
    subsystem: Type.Optional(Type.String({ pattern: '^[a-z]{1,20}$' })),
    /** Minimum level: this level and more severe ones. */
    level: Type.Optional(LogLevel),
    from: Type.Optional(IsoTime),
    to: Type.Optional(IsoTime),
    /** Free text from the user: searched as words (FTS5), never as query syntax. */
    text: Type.Optional(Type.String({ maxLength: 500 })),
    limit: Type.Integer({ minimum: 1, maximum: 1000 }),
    /** Keyset paging: records older than this row id (the last id of the previous page). */
    before: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type LogsQueryParams = Static<typeof LogsQueryParams>;

export const LogPage = Type.Object(
  {
    rows: Type.Array(LogRow),
    /** Pass as `before` for the next (older) page; null at the end. */
    next: Type.Union([Type.Integer(), Type.Null()]),
    /** Records matching the filters, counted up to 10,000 (`capped` when more). */
    total: Type.Integer(),
    capped: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type LogPage = Static<typeof LogPage>;

export const LogDetail = Type.Object(
  { id: Type.Integer(), unitId: UnitId, unitName: Type.String(), record: LogRecord },
  { additionalProperties: false },
);
export type LogDetail = Static<typeof LogDetail>;

/** Seq ranges missing from a boot's records (lost on the unit before they were pulled). */
export const LogGap = Type.Object(
  { unitId: UnitId, boot: Type.String(), fromSeq: Type.Integer(), toSeq: Type.Integer() },
  { additionalProperties: false },
);
export type LogGap = Static<typeof LogGap>;

export const HealthPoint = Type.Object(
  {
    time: Type.String(),
    cpuPct: Type.Number(),
    socTempC: Type.Union([Type.Number(), Type.Null()]),
    diskUsedPct: Type.Number(),
    timeToFirstFixS: Type.Union([Type.Number(), Type.Null()]),
    satellites: Type.Integer(),
    memoryUsedPct: Type.Number(),
    warnings: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type HealthPoint = Static<typeof HealthPoint>;

export const HealthSeries = Type.Object(
  { unitId: UnitId, points: Type.Array(HealthPoint), latest: Type.Union([HealthSnapshot, Type.Null()]) },
  { additionalProperties: false },
);
export type HealthSeries = Static<typeof HealthSeries>;

/** Why a unit needs attention: hot, disk-full, no-fix, crashed (recently), stale (no recent health). */
export const TroubleFlag = Type.Union([
  Type.Literal('hot'),
  Type.Literal('disk-full'),
  Type.Literal('no-fix'),
  Type.Literal('crashed'),
  Type.Literal('stale'),
]);
export type TroubleFlag = Static<typeof TroubleFlag>;

export const FleetHealthRow = Type.Object(
  {
    unitId: UnitId,
    unitName: Type.String(),
    online: Type.Boolean(),
    lastHealth: Type.Union([Type.String(), Type.Null()]),
    cpuPct: Type.Union([Type.Number(), Type.Null()]),
    socTempC: Type.Union([Type.Number(), Type.Null()]),
    diskUsedPct: Type.Union([Type.Number(), Type.Null()]),
    satellites: Type.Union([Type.Integer(), Type.Null()]),
    timeToFirstFixS: Type.Union([Type.Number(), Type.Null()]),
    crashes24h: Type.Integer(),
    lastPull: Type.Union([Type.String(), Type.Null()]),
    flags: Type.Array(TroubleFlag),
  },
  { additionalProperties: false },
);
export type FleetHealthRow = Static<typeof FleetHealthRow>;

export const StoredCrash = Type.Object(
  {
    crashId: Type.String(),
    unitId: UnitId,
    unitName: Type.String(),
    time: Type.String(),
    kind: CrashKind,
    message: Type.String(),
    fw: Type.String(),
  },
  { additionalProperties: false },
);
export type StoredCrash = Static<typeof StoredCrash>;

export const CrashDetail = Type.Object(
  {
    crash: StoredCrash,
    errorName: Type.String(),
    stack: Type.Union([Type.String(), Type.Null()]),
    state: Type.Record(Type.String(), Type.Unknown()),
    /** The unit's last log records before the crash, oldest first. */
    lastLogs: Type.Array(LogRecord),
    /** Node diagnostic report summary (header fields), when the dump carried one. */
    report: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  },
  { additionalProperties: false },
);
export type CrashDetail = Static<typeof CrashDetail>;

export const SyncPhase = Type.Union([
  Type.Literal('queued'),
  Type.Literal('logs'),
  Type.Literal('health'),
  Type.Literal('crashes'),
  // Pulled (durable in the companion, confirmed to the unit); records going into the search index.
  Type.Literal('indexing'),
  Type.Literal('done'),
  Type.Literal('failed'),
]);
export type SyncPhase = Static<typeof SyncPhase>;

export const SyncProgress = Type.Object(
  {
    unitId: UnitId,
    phase: SyncPhase,
    done: Type.Integer({ minimum: 0 }),
    total: Type.Integer({ minimum: 0 }),
    message: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type SyncProgress = Static<typeof SyncProgress>;

export const UnitSyncResult = Type.Object(
  {
    unitId: UnitId,
    ok: Type.Boolean(),
    logs: Type.Integer(),
    health: Type.Integer(),
    crashes: Type.Integer(),
    gaps: Type.Array(LogGap),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type UnitSyncResult = Static<typeof UnitSyncResult>;

export const LogTailEvent = Type.Object({ unitId: UnitId, rows: Type.Array(LogRow) }, { additionalProperties: false });
export type LogTailEvent = Static<typeof LogTailEvent>;

export const ExportResult = Type.Object(
  {
    path: Type.String(),
    bytes: Type.Integer(),
    logs: Type.Integer(),
    health: Type.Integer(),
    crashes: Type.Integer(),
    /** included: audit.ndjson; not-served: the unit's firmware has no /v1/audit; unavailable: offline, not the owner, or an error (the archive's note says which). */
    auditLog: Type.Union([Type.Literal('included'), Type.Literal('not-served'), Type.Literal('unavailable')]),
    /** The unit's oldest audit records gone before the export (it keeps its audit log bounded by size); 0 when none or not included. */
    auditRotatedAway: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type ExportResult = Static<typeof ExportResult>;

export const ExportPathParam = Type.String({ minLength: 1, maxLength: 4096, pattern: '^[^\\u0000]+$' });
