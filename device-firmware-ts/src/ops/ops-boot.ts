import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import { identityPaths } from '../identity/unit-identity.js';
import type { HardwareSerial } from '../hal/hardware-serial.js';
import { uuidV5 } from '../identity/uuid-v5.js';
import { FIRMWARE_COMMIT, FIRMWARE_VERSION } from '../version.js';
import { createUnitLogger, type UnitLogger } from './unit-logger.js';
import { openCrashStore, type CrashStore } from './crash-store.js';
import { installCrashReporter, rebootReason, type CrashReporter, type RebootReason } from './crash-reporter.js';
import { openLogStore, type LogStore } from './log-store.js';
import type { LogLevel } from '@pitwall/protocol';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** OOM injection only where the heap is small (the sim is started with --max-old-space-size). */
export const OOM_MAX_HEAP_B = 512 * 1024 * 1024;

/** The unit id before the identity stage runs, so the first record of a boot carries it. */
export async function earlyUnitId(dataDir: string, boardSerial: () => Promise<HardwareSerial>): Promise<string> {
  try {
    const stored = (await readFile(identityPaths(dataDir).id, 'utf8')).trim();
    if (UUID.test(stored)) return stored;
  } catch {
    /* first boot */
  }
  return uuidV5((await boardSerial()).serial);
}

export interface Ops {
  logger: UnitLogger;
  logs: LogStore;
  crashes: CrashStore;
  reporter: CrashReporter | null;
  reboot: { reason: RebootReason; previousBoot: string | null; markClean: () => void };
  /** Last known state for dumps (set by the runtime as subsystems come up). */
  state: Record<string, unknown>;
}

export interface OpsOptions {
  dataDir: string;
  logDir: string;
  logLevel?: LogLevel;
  stderrLevel?: LogLevel | null;
  /** Install process-wide crash handlers and Node reports (the CLI does; in-process tests do not). */
  processHandlers: boolean;
  maxCrashes?: number;
  maxCrashBytes?: number;
  /** The board's serial, for the unit id of a first boot (from the hardware profile). */
  boardSerial: () => Promise<HardwareSerial>;
}

export async function startOps(o: OpsOptions): Promise<Ops> {
  const unit = await earlyUnitId(o.dataDir, o.boardSerial);
  const logger = createUnitLogger({ file: join(o.logDir, 'pitwall.log'), fw: FIRMWARE_VERSION, commit: FIRMWARE_COMMIT, unit, level: o.logLevel, stderrLevel: o.stderrLevel });
  const logs = openLogStore(o.logDir);
  const crashes = openCrashStore(o.dataDir, { maxCount: o.maxCrashes, maxBytes: o.maxCrashBytes });
  const reboot = rebootReason(join(o.dataDir, 'run'), crashes, logger.boot);
  const state: Record<string, unknown> = { recording: null, slot: null };
  const log = logger.for('crash');
  const reporter = o.processHandlers
    ? installCrashReporter({
        ctx: { unit, boot: logger.boot, fw: FIRMWARE_VERSION, commit: FIRMWARE_COMMIT, redactor: logger.redactor },
        store: crashes,
        logger,
        log,
        state: () => state,
        lastLogsOf: (boot) => logs.tail(boot, 500),
      })
    : null;
  return { logger, logs, crashes, reporter, reboot, state };
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}

/** Sim fault injection (crash, hang, out-of-memory), run on the next turn so the socket answers first. */
export function simInjector(log: { warn(msg: string): void }, beforeOom: () => void = () => {}): (what: 'crash' | 'hang' | 'oom') => string {
  return (what) => {
    if (what === 'oom' && getHeapStatistics().heap_size_limit > OOM_MAX_HEAP_B) {
      return `error inject oom needs a small heap: start the sim with NODE_OPTIONS=--max-old-space-size=<= ${OOM_MAX_HEAP_B / 1024 / 1024}`;
    }
    log.warn(`sim: injecting ${what}`);
    // GC thrashing near the heap limit blocks the loop for seconds: that is not the hang under test.
    if (what === 'oom') beforeOom();
    setTimeout(() => {
      if (what === 'crash') throw new Error('injected crash (sim)');
      if (what === 'hang') blockEventLoop();
      // A leak, not a busy loop: the event loop keeps turning, so the hang watchdog stays out of it.
      const hog: unknown[] = [];
      const grow = () => {
        for (let i = 0; i < 20; i++) hog.push(new Array(1e5).fill({ a: Math.random() }));
        setImmediate(grow);
      };
      grow();
    }, 50);
    return 'ok';
  };
}

/** The injected hang: a busy loop that never yields (named, so a hang dump's stack can be checked). */
function blockEventLoop(): void {
  const until = Number.MAX_SAFE_INTEGER;
  while (Date.now() < until) {
    /* blocked event loop */
  }
}
