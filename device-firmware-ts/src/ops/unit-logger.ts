import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { pino, type Logger as Pino, type LoggerOptions } from 'pino';
import { PINO_SECRET_REDACTION, type LogLevel, type LogRecord, type Subsystem } from '@pitwall/protocol';
import { levelRank, type LogFields, type Logger } from './logger.js';
import { LogRing } from './log-ring.js';
import { cleanFields, needsCopy } from './log-fields.js';
import { Redactor } from './redactor.js';

export interface UnitLoggerOptions {
  /** The log file (DATA_DIR/logs/pitwall.log). */
  file: string;
  fw: string;
  commit: string;
  unit: string;
  boot?: string;
  /** Lowest level written (default debug). */
  level?: LogLevel;
  /** Short human lines on stderr from this level (null: none). */
  stderrLevel?: LogLevel | null;
  stderr?: (line: string) => void;
  redactor?: Redactor;
  ringSize?: number;
}

export interface UnitLogger {
  readonly boot: string;
  readonly redactor: Redactor;
  readonly ring: LogRing;
  readonly file: string;
  for(subsystem: Subsystem): Logger;
  /** Records written so far in this boot (the last seq). */
  seq(): number;
  setLevel(level: LogLevel): void;
  /** Debug and trace stop (low disk) or resume. */
  setDebugEnabled(on: boolean): void;
  debugEnabled(): boolean;
  /** Reopens the file (after logrotate moved it away). */
  reopen(): void;
  /** Writes out what is buffered, synchronously (crash path). */
  flushSync(): void;
  /** The ring as records, oldest first. */
  lastRecords(): LogRecord[];
  close(): Promise<void>;
}

const INFO = levelRank('info');

/**
 * The pino options that shape a record: message key, ISO time, level names, and pino's own
 * redaction paths. The logging bench gives its plain-pino baseline the same ones.
 */
export const UNIT_PINO_FORMAT = {
  messageKey: 'msg',
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label: string) => ({ level: label }) },
  redact: PINO_SECRET_REDACTION,
} satisfies LoggerOptions;

/** After a power cut the file may end in a torn line: start this boot on a line of its own. */
function endTornLine(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'a+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] !== 0x0a) writeSync(fd, '\n');
  } finally {
    closeSync(fd);
  }
}

/**
 * The unit's structured logger: pino writing one protocol LogRecord a line to the log file, with
 * the boot id in its base fields and `seq` from a mixin, so every line starts
 * `{"level":..,"time":..,"boot":..,"fw":..,"commit":..,"unit":..,"subsystem":..,"seq":..` and the
 * log reader finds a record's boot and seq without parsing JSON (log-segments.ts). pino's
 * streamWrite hook keeps each line in the ring (crash dumps) and mirrors short lines to stderr.
 *
 * Redaction: pino's own paths censor the usual secret fields (`psk`, `password`, `token`, ...:
 * protocol's SECRET_FIELD_PATHS) without a copy of the record; protocol's shared rules do the
 * rest: the message's free text and runtime secrets, and field names at any depth and in any
 * case. The common record, with nothing for them, is handed to pino as it is.
 */
export function createUnitLogger(opts: UnitLoggerOptions): UnitLogger {
  const boot = opts.boot ?? randomUUID();
  const redactor = opts.redactor ?? new Redactor();
  const ring = new LogRing(opts.ringSize ?? 500);
  endTornLine(opts.file);
  const dest = pino.destination({ dest: opts.file, append: true, mkdir: true, sync: false, minLength: 0 });
  dest.on('error', (err: Error) => process.stderr.write(`log file ${opts.file}: ${err.message}\n`));
  const stderrRank = opts.stderrLevel === null ? Infinity : levelRank(opts.stderrLevel ?? 'info');
  const writeErr = opts.stderr ?? ((l: string) => process.stderr.write(l));
  let seq = 0;
  let minRank = levelRank(opts.level ?? 'debug');
  let debugOn = true;

  const mirror = (line: string) => {
    const level = line.slice(10, line.indexOf('"', 10)) as LogLevel;
    if (levelRank(level) < stderrRank) return;
    const r = JSON.parse(line) as LogRecord;
    writeErr(`${r.time.slice(11, 23)} ${level.padEnd(5)} [${r.subsystem}] ${r.msg}\n`);
  };
  const root: Pino = pino(
    {
      level: 'trace',
      base: { boot, fw: opts.fw, commit: opts.commit, unit: opts.unit },
      ...UNIT_PINO_FORMAT,
      mixin: () => ({ seq: ++seq }),
      hooks: {
        streamWrite(line) {
          ring.push(line);
          if (stderrRank !== Infinity) mirror(line);
          return line;
        },
      },
    },
    dest,
  );

  const loggers = new Map<Subsystem, Logger>();
  const make = (subsystem: Subsystem): Logger => {
    const cached = loggers.get(subsystem);
    if (cached) return cached;
    const p = root.child({ subsystem });
    const emit = (level: LogLevel) => {
      const rank = levelRank(level);
      return (msg: string, fields?: LogFields) => {
        if (rank < minRank || (rank < INFO && !debugOn)) return;
        const text = redactor.text(String(msg));
        if (!fields) return p[level](text);
        // The common record has nothing to redact and no reserved name: pino writes it as it is.
        if (!needsCopy(redactor, fields)) return p[level](fields, text);
        p[level](cleanFields(redactor, fields), text);
      };
    };
    const log: Logger = {
      trace: emit('trace'),
      debug: emit('debug'),
      info: emit('info'),
      warn: emit('warn'),
      error: emit('error'),
      fatal: emit('fatal'),
      child: (s) => make(s),
    };
    loggers.set(subsystem, log);
    return log;
  };

  return {
    boot,
    redactor,
    ring,
    file: opts.file,
    for: make,
    seq: () => seq,
    setDebugEnabled(on) {
      debugOn = on;
    },
    debugEnabled: () => debugOn,
    reopen() {
      dest.reopen();
    },
    flushSync() {
      try {
        dest.flushSync();
      } catch {
        /* not open yet or already closed: nothing buffered to save */
      }
    },
    lastRecords() {
      const out: LogRecord[] = [];
      for (const line of ring.snapshot()) {
        try {
          out.push(JSON.parse(line) as LogRecord);
        } catch {
          /* never torn in memory; defensive */
        }
      }
      return out;
    },
    setLevel(level: LogLevel) {
      minRank = levelRank(level);
    },
    close() {
      return new Promise<void>((resolve) => {
        dest.once('close', () => resolve());
        dest.end();
      });
    },
  };
}
