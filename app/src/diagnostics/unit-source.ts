import type https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import {
  answerCheck,
  AUDIT_PAGE_MAX,
  routePath,
  Routes,
  type AuditRecord,
  type CrashDump,
  type CrashSummary,
  type HealthSnapshot,
  type LogBoot,
} from '@pitwall/protocol';
import { callRoute, UnitRequestError } from '../device-client/http-client.js';
import type { UnitChannels } from '../trust/unit-channel.js';
import { transferDeadlineMs } from '../device-client/transfer-deadline.js';
import { getLargeJson, streamGet } from './unit-stream.js';

/** What the pull needs from a unit: its diagnostics endpoints (HTTPS in the product, fakes in tests). */
export interface DiagnosticsSource {
  boots(): Promise<LogBoot[]>;
  /** Streams the boot's records with seq > after (NDJSON bytes, in seq order); a promise from `onData` pauses the stream. */
  logs(boot: string, after: number, limit: number, onData: (chunk: Buffer) => void | Promise<void>): Promise<void>;
  confirmLogs(boot: string, seq: number): Promise<void>;
  health(since: string | null): Promise<HealthSnapshot[]>;
  crashes(): Promise<CrashSummary[]>;
  /** One crash dump; a body past `maxBytes` is refused. */
  crash(id: string, maxBytes: number): Promise<CrashDump>;
  confirmCrashes(ids: string[]): Promise<void>;
  /** The unit's audit records (the newest AUDIT_EXPORT_MAX), or null when the unit does not serve them. */
  auditLog(): Promise<AuditExtract | null>;
}

/** Audit records an export keeps at most: the newest, the older ones are counted. */
export const AUDIT_EXPORT_MAX = 100_000;

/** Far above any AuditRecord (its detail is at most 500 characters). */
const MAX_AUDIT_LINE = 64 * 1024;

/**
 * Audit records read at most in one export: a unit rotates its audit log by size and keeps far
 * fewer. A unit that pages on past this is not serving an audit log.
 */
export const AUDIT_READ_MAX = 2 * AUDIT_EXPORT_MAX;
/** Bytes a page of records may plausibly take (for its transfer deadline). */
const AUDIT_PAGE_BYTES = AUDIT_PAGE_MAX * 1024;

export interface AuditExtract {
  records: AuditRecord[];
  /** Older records the unit served and this companion left out, to stay within AUDIT_EXPORT_MAX. */
  olderLeftOut: number;
  /**
   * Older records the unit no longer had: the first it served (reading from the beginning) has
   * seq rotatedAway + 1. The unit rotates its audit log away by size and writes seq without holes
   * (short of a failed write), so these are the ones it rotated away.
   */
  rotatedAway: number;
}

/**
 * The HTTPS source of a paired unit: each pull first proves the unit holds the pinned key
 * (`ensureProven`), then uses a pinned, mutually-authenticated agent for the streams.
 */
export class HttpsDiagnosticsSource implements DiagnosticsSource {
  private conn: Promise<{ target: string; agent: https.Agent }> | null = null;

  constructor(
    private readonly channels: UnitChannels,
    private readonly id: string,
    private readonly opts: { signal?: AbortSignal; gzip?: boolean } = {},
  ) {}

  private connection(): Promise<{ target: string; agent: https.Agent }> {
    this.conn ??= (async () => {
      const target = await this.channels.provenTarget(this.id);
      return { target, agent: await this.channels.streamAgent(this.id) };
    })();
    this.conn.catch(() => (this.conn = null));
    return this.conn;
  }

  private async guarded<T>(fn: (c: { target: string; agent: https.Agent }) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.connection());
    } catch (err) {
      throw this.channels.toCompanionError(this.id, err);
    }
  }

  async boots(): Promise<LogBoot[]> {
    return (await this.guarded((c) => getLargeJson(c.target, routePath(Routes.logBoots), answerCheck(Routes.logBoots, 200), { agent: c.agent, signal: this.opts.signal }))).boots;
  }

  async logs(boot: string, after: number, limit: number, onData: (chunk: Buffer) => void | Promise<void>): Promise<void> {
    const path = routePath(Routes.logs, { query: { boot, after, limit } });
    // Records are at most a few hundred bytes; 1 KiB each bounds the request's time.
    await this.guarded((c) => streamGet(c.target, path, { agent: c.agent, signal: this.opts.signal, gzip: this.opts.gzip, deadlineMs: transferDeadlineMs(limit * 1024) }, onData));
  }

  async confirmLogs(boot: string, seq: number): Promise<void> {
    await this.guarded((c) => callRoute(c.target, Routes.confirmLogs, { body: { boot, seq } }, { agent: c.agent, timeoutMs: 10_000 }));
  }

  async health(since: string | null): Promise<HealthSnapshot[]> {
    const path = routePath(Routes.health, { query: { since: since ?? undefined } });
    return (await this.guarded((c) => getLargeJson(c.target, path, answerCheck(Routes.health, 200), { agent: c.agent, signal: this.opts.signal }))).snapshots;
  }

  async crashes(): Promise<CrashSummary[]> {
    return (await this.guarded((c) => getLargeJson(c.target, routePath(Routes.crashes), answerCheck(Routes.crashes, 200), { agent: c.agent, signal: this.opts.signal }))).crashes;
  }

  async crash(id: string, maxBytes: number): Promise<CrashDump> {
    return this.guarded((c) => getLargeJson(c.target, routePath(Routes.crash, { params: { id } }), answerCheck(Routes.crash, 200), { agent: c.agent, signal: this.opts.signal, maxBytes }));
  }

  async confirmCrashes(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.guarded((c) => callRoute(c.target, Routes.confirmCrashes, { body: { ids } }, { agent: c.agent, timeoutMs: 10_000 }));
  }

  /**
   * GET /v1/audit page by page (after = the last seq read); every line must be an AuditRecord
   * with a seq above the one before it. 404/405: a firmware without the endpoint (null). Read
   * from after = 0, so a first record above seq 1 says how many the unit rotated away.
   */
  async auditLog(): Promise<AuditExtract | null> {
    const { target, agent } = await this.guarded(async (c) => c);
    let records: AuditRecord[] = [];
    let olderLeftOut = 0;
    let rotatedAway = 0;
    let after = 0;
    let read = 0;
    for (;;) {
      const path = routePath(Routes.audit, { query: { after, limit: AUDIT_PAGE_MAX } });
      const page: AuditRecord[] = [];
      const decoder = new StringDecoder('utf8');
      let rest = '';
      const take = (line: string): void => {
        if (line.trim() === '') return;
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          throw new UnitRequestError('not-a-unit', `${target} answered ${path} with a line that is not JSON`);
        }
        let rec: AuditRecord;
        try {
          rec = answerCheck(Routes.audit, 200).parse(json);
        } catch (err) {
          throw new UnitRequestError('not-a-unit', `${target} answered ${path} with a line that is not an audit record (${(err as Error).message})`);
        }
        const last = page.at(-1)?.seq ?? after;
        if (rec.seq <= last) throw new UnitRequestError('not-a-unit', `${target} answered ${path} with audit records out of order (seq ${rec.seq} after ${last})`);
        if (page.length >= AUDIT_PAGE_MAX) throw new UnitRequestError('not-a-unit', `${target} sent more than ${AUDIT_PAGE_MAX} audit records for ${path}`);
        page.push(rec);
      };
      try {
        await streamGet(target, path, { agent, signal: this.opts.signal, deadlineMs: transferDeadlineMs(AUDIT_PAGE_BYTES) }, (chunk) => {
          const lines = (rest + decoder.write(chunk)).split('\n');
          rest = lines.pop()!;
          for (const l of lines) take(l);
          if (rest.length > MAX_AUDIT_LINE) throw new UnitRequestError('not-a-unit', `${target} sent an audit line longer than ${MAX_AUDIT_LINE} characters for ${path}`);
        });
        take(rest + decoder.end());
      } catch (err) {
        if (err instanceof UnitRequestError && (err.status === 404 || err.status === 405)) return null;
        throw this.channels.toCompanionError(this.id, err);
      }
      if (after === 0 && page.length > 0) rotatedAway = page[0]!.seq - 1;
      read += page.length;
      if (read > AUDIT_READ_MAX) throw this.channels.toCompanionError(this.id, new UnitRequestError('not-a-unit', `${target} served more than ${AUDIT_READ_MAX.toLocaleString('en')} audit records: that is not a unit's audit log (it keeps far fewer); the export goes on without it`));
      records.push(...page);
      if (records.length > AUDIT_EXPORT_MAX) {
        olderLeftOut += records.length - AUDIT_EXPORT_MAX;
        records = records.slice(-AUDIT_EXPORT_MAX);
      }
      if (page.length < AUDIT_PAGE_MAX) return { records, olderLeftOut, rotatedAway };
      after = page.at(-1)!.seq;
    }
  }

  close(): void {
    void this.conn?.then((c) => c.agent.destroy()).catch(() => undefined);
  }
}
