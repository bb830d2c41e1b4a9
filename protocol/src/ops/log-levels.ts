import type { LogLevel } from './log-record.js';

/**
 * The log levels, least severe first, and their numbers (pino's): the unit's logger, the
 * companion's store ("warn and above" is one comparison) and both UIs use this one table.
 */
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export const LOG_LEVEL_NUMBER: Readonly<Record<LogLevel, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** A stored number's level (undefined for a number that is not one). */
export const LOG_LEVEL_BY_NUMBER: Readonly<Partial<Record<number, LogLevel>>> = Object.fromEntries(LOG_LEVELS.map((l) => [LOG_LEVEL_NUMBER[l], l]));

export function isLogLevel(s: unknown): s is LogLevel {
  return typeof s === 'string' && (LOG_LEVELS as readonly string[]).includes(s);
}

/** Whether a record of `level` passes a threshold of `min`. */
export function logLevelAtLeast(level: LogLevel, min: LogLevel): boolean {
  return LOG_LEVEL_NUMBER[level] >= LOG_LEVEL_NUMBER[min];
}
