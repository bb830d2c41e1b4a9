import type { CrashDump, CrashKind, LogRecord } from '@pitwall/protocol';
import type { Redactor } from './redactor.js';

export interface DumpContext {
  unit: string;
  boot: string;
  fw: string;
  commit: string;
  redactor: Redactor;
}

/** Node's diagnostic report without what must not leave the unit (environment, host network). */
export function cleanReport(report: unknown, redactor: Redactor): Record<string, unknown> | null {
  if (!report || typeof report !== 'object') return null;
  const r = { ...(report as Record<string, unknown>) };
  delete r.environmentVariables;
  delete r.sharedObjects;
  if (r.header && typeof r.header === 'object') {
    const h = { ...(r.header as Record<string, unknown>) };
    delete h.networkInterfaces;
    delete h.host;
    r.header = h;
  }
  return redactor.value(r) as Record<string, unknown>;
}

export function buildDump(
  ctx: DumpContext,
  o: { id: string; kind: CrashKind; error: { name: string; message: string; stack: string | null }; lastLogs: LogRecord[]; state: Record<string, unknown>; report: unknown; time?: string },
): CrashDump {
  return {
    id: o.id,
    time: o.time ?? new Date().toISOString(),
    unit: ctx.unit,
    boot: ctx.boot,
    fw: ctx.fw,
    commit: ctx.commit,
    kind: o.kind,
    error: {
      name: ctx.redactor.text(o.error.name),
      message: ctx.redactor.text(o.error.message),
      stack: o.error.stack === null ? null : ctx.redactor.text(o.error.stack),
    },
    lastLogs: o.lastLogs.slice(-500),
    state: ctx.redactor.value(o.state) as Record<string, unknown>,
    report: cleanReport(o.report, ctx.redactor),
  };
}

export function errorParts(err: unknown): { name: string; message: string; stack: string | null } {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack ?? null };
  return { name: 'NonError', message: typeof err === 'string' ? err : JSON.stringify(err) ?? String(err), stack: null };
}
