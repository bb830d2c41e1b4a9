import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { UnitId } from '../device-api/unit-id.js';

export const LogLevel = Type.Union([
  Type.Literal('trace'),
  Type.Literal('debug'),
  Type.Literal('info'),
  Type.Literal('warn'),
  Type.Literal('error'),
  Type.Literal('fatal'),
]);
export type LogLevel = Static<typeof LogLevel>;

export const Subsystem = Type.Union(
  ['boot', 'gnss', 'imu', 'led', 'net', 'api', 'update', 'support', 'licence', 'identity', 'serial', 'mdns', 'health', 'crash', 'pipeline'].map((s) =>
    Type.Literal(s),
  ),
);
export type Subsystem = 'boot' | 'gnss' | 'imu' | 'led' | 'net' | 'api' | 'update' | 'support' | 'licence' | 'identity' | 'serial' | 'mdns' | 'health' | 'crash' | 'pipeline';

/**
 * One structured log record of a unit (one JSON line in its log file). Fixed fields first;
 * a record may carry more context fields (`err`, `durationMs`, `stage`, ...), already redacted.
 */
export const LogRecord = Type.Object(
  {
    time: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' }),
    level: LogLevel,
    subsystem: Subsystem,
    msg: Type.String(),
    fw: Type.String({ minLength: 1 }),
    commit: Type.String({ minLength: 1 }),
    unit: UnitId,
    /** Random id of this boot of the runtime. */
    boot: Type.String({ pattern: '^[0-9a-f-]{36}$' }),
    /** 1, 2, 3, ... within a boot, never skipping: a gap means lost records. */
    seq: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: true },
);
export type LogRecord = Static<typeof LogRecord> & Record<string, unknown>;
export const logRecord = validator('LogRecord', LogRecord);
