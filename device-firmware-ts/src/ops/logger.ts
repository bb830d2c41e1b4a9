import { LOG_LEVEL_NUMBER, logLevelAtLeast, type LogLevel, type Subsystem } from '@pitwall/protocol';

export type LogFields = Record<string, unknown>;

/** A subsystem's logger: structured records (see unit-logger.ts); messages are redacted. */
export interface Logger {
  trace(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  fatal(msg: string, fields?: LogFields): void;
  /** The logger of another subsystem sharing this one's output. */
  child(subsystem: Subsystem): Logger;
}

/** Higher is more severe (protocol's numbers, pino's). */
export const levelRank = (l: LogLevel): number => LOG_LEVEL_NUMBER[l];

const noop = () => {};
export const silentLogger: Logger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop, child: () => silentLogger };

/** Short human lines on stderr, for CLI commands that run without a data directory log. */
export function stderrLogger(subsystem: Subsystem, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const line = (level: LogLevel) => (msg: string) => {
    if (logLevelAtLeast(level, 'info')) write(`${new Date().toISOString()} ${level} [${subsystem}] ${msg}\n`);
  };
  return { trace: line('trace'), debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'), fatal: line('fatal'), child: (s) => stderrLogger(s, write) };
}
