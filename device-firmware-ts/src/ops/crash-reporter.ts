import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrashKind, LogRecord } from '@pitwall/protocol';
import type { CrashStore } from './crash-store.js';
import { buildDump, errorParts, type DumpContext } from './crash-dump-builder.js';
import type { UnitLogger } from './unit-logger.js';
import type { Logger } from './logger.js';

export interface CrashReporter {
  /** Turns diagnostic reports Node wrote (fatal error, SIGUSR2) into dumps; returns how many. */
  ingestReports(): Promise<number>;
  /** Writes a dump now (synchronously) and returns its id. */
  dumpNow(kind: CrashKind, err: unknown): string;
}

export interface CrashReporterDeps {
  ctx: DumpContext;
  store: CrashStore;
  logger: UnitLogger;
  log: Logger;
  state: () => Record<string, unknown>;
  /** The last records of an earlier boot (for reports written by a process that died). */
  lastLogsOf: (boot: string) => Promise<LogRecord[]>;
  /** Before exiting after a crash (marks, flushes). */
  onFatal?: () => void;
}

/**
 * Process-wide crash capture: uncaught exceptions and unhandled rejections write a dump and
 * exit 1; fatal errors (OOM) and SIGUSR2 make Node write a report into
 * crashes/reports/<boot>/, turned into a dump by ingestReports (at the next boot when the
 * process could not).
 */
export function installCrashReporter(d: CrashReporterDeps): CrashReporter {
  const bootReports = join(d.store.reportsDir, d.ctx.boot);
  mkdirSync(bootReports, { recursive: true });
  process.report.directory = bootReports;
  process.report.reportOnFatalError = true;
  process.report.reportOnSignal = true;
  (process.report as { excludeNetwork?: boolean }).excludeNetwork = true;

  const dumpNow = (kind: CrashKind, err: unknown): string => {
    const id = d.store.newId(kind);
    let report: unknown = null;
    try {
      report = err instanceof Error ? process.report.getReport(err) : process.report.getReport();
    } catch {
      /* a dump without the report is still a dump */
    }
    d.store.writeSync(buildDump(d.ctx, { id, kind, error: errorParts(err), lastLogs: d.logger.lastRecords(), state: safeState(d.state), report }));
    return id;
  };

  let dying = false;
  const fatal = (kind: CrashKind) => (err: unknown) => {
    if (dying) return;
    dying = true;
    try {
      d.log.fatal(`${kind}: ${errorParts(err).message}`, { err });
      const id = dumpNow(kind, err);
      d.log.fatal(`crash dump ${id} written; exiting`);
    } catch (e) {
      process.stderr.write(`crash dump failed: ${(e as Error).message}\n`);
    }
    d.onFatal?.();
    d.logger.flushSync();
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaught-exception'));
  process.on('unhandledRejection', fatal('unhandled-rejection'));

  return {
    dumpNow,
    async ingestReports() {
      let n = 0;
      let boots: string[];
      try {
        boots = readdirSync(d.store.reportsDir);
      } catch {
        return 0;
      }
      for (const boot of boots) {
        const dir = join(d.store.reportsDir, boot);
        let names: string[];
        try {
          names = readdirSync(dir).filter((f) => f.endsWith('.json'));
        } catch {
          continue;
        }
        for (const name of names) {
          const path = join(dir, name);
          let report: { header?: { trigger?: string; event?: string; filename?: string; dumpEventTimeStamp?: string }; javascriptStack?: { message?: string; stack?: string[] } };
          try {
            report = JSON.parse(readFileSync(path, 'utf8')) as typeof report;
          } catch {
            // Still being written (or torn by a power cut): a later pass, or drop a stale one.
            continue;
          }
          const trigger = report.header?.trigger ?? '';
          const event = report.header?.event ?? '';
          const kind: CrashKind = trigger === 'Signal' || /^SIG/.test(trigger) ? 'signal' : /heap|memory/i.test(event) ? 'out-of-memory' : 'fatal-error';
          const stack = report.javascriptStack?.stack?.join('\n') ?? null;
          const message = event || trigger || 'diagnostic report';
          const lastLogs = boot === d.ctx.boot ? d.logger.lastRecords() : await d.lastLogsOf(boot).catch(() => []);
          const ts = Number(report.header?.dumpEventTimeStamp);
          const id = d.store.newId(kind);
          d.store.writeSync(
            buildDump(
              { ...d.ctx, boot },
              {
                id,
                kind,
                time: Number.isFinite(ts) && ts > 0 ? new Date(ts).toISOString() : undefined,
                error: { name: kind === 'out-of-memory' ? 'OutOfMemory' : kind === 'signal' ? 'Signal' : 'FatalError', message, stack },
                lastLogs,
                state: boot === d.ctx.boot ? safeState(d.state) : { note: 'state of an earlier boot: not captured (the process could not run JavaScript)' },
                report,
              },
            ),
          );
          unlinkSync(path);
          d.log.warn(`crash dump ${id} made from a ${kind} report of boot ${boot}`);
          n++;
        }
        if (boot !== d.ctx.boot) rmSync(dir, { recursive: true, force: true });
      }
      return n;
    },
  };
}

function safeState(state: () => Record<string, unknown>): Record<string, unknown> {
  try {
    return state();
  } catch (err) {
    return { error: `state unavailable: ${(err as Error).message}` };
  }
}

export type RebootReason = 'first-boot' | 'clean' | 'crash' | 'unclean';

/**
 * Why the last run ended: run/clean-shutdown (written on a clean stop) -> clean; a crash dump
 * or a report of that boot -> crash; else unclean (power cut, SIGKILL). Then arms this boot.
 */
export function rebootReason(runDir: string, store: CrashStore, boot: string): { reason: RebootReason; previousBoot: string | null; markClean: () => void } {
  const marker = join(runDir, 'clean-shutdown');
  const lastFile = join(runDir, 'last-boot');
  const previousBoot = existsSync(lastFile) ? readFileSync(lastFile, 'utf8').trim() || null : null;
  let reason: RebootReason;
  if (previousBoot === null) reason = 'first-boot';
  else if (existsSync(marker)) reason = 'clean';
  else if (store.list().some((c) => c.boot === previousBoot) || hasReports(join(store.reportsDir, previousBoot))) reason = 'crash';
  else reason = 'unclean';
  rmSync(marker, { force: true });
  writeFileSync(lastFile, `${boot}\n`);
  return { reason, previousBoot, markClean: () => writeFileSync(marker, `${boot}\n`) };
}

function hasReports(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => f.endsWith('.json'));
  } catch {
    return false;
  }
}
