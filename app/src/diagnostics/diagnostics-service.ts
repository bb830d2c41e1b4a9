import {
  CompanionError,
  type CrashDetail,
  type DeviceEntry,
  type EventSink,
  type FleetHealthRow,
  type HealthPoint,
  type HealthSeries,
  type UnitSyncResult,
} from '@pitwall/protocol';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DiagnosticsStore } from './diagnostics-store.js';
import { InlineIngester, WorkerIngester } from './ingester.js';
import { LogWriter } from './log-writer.js';
import { storeWriter } from '../store/store-writer.js';
import { isoToMs } from './log-search.js';
import { STAGING_SUFFIX } from './staging-file.js';
import { ingestLeftovers, pullUnit, type Staging } from './unit-pull.js';
import type { DiagnosticsSource } from './unit-source.js';

export interface DiagnosticsServiceOptions {
  store: DiagnosticsStore;
  /**
   * The companion's data folder: pulls stage logs in `diagnostics-staging/` there and a worker
   * thread ingests them into the database file. null (an in-memory store): staging in a
   * temporary folder, ingest in-process.
   */
  dataDir: string | null;
  /** A source for a paired unit (throws CompanionError when it cannot be reached). */
  source: (id: string) => DiagnosticsSource & { close?(): void };
  units: () => DeviceEntry[];
  events: EventSink;
  /** Units pulled at the same time (default 4). */
  concurrency?: number;
  /** Live tail poll period (default 1000 ms). */
  tailEveryMs?: number;
  log?: (m: string) => void;
}

/** The folder of the data dir that holds staged log transfers. */
export const STAGING_DIR = 'diagnostics-staging';

/** Thresholds of the fleet overview. */
export const TROUBLE = { hotC: 80, diskFullPct: 90, staleMs: 15 * 60_000, crashWindowMs: 24 * 3600_000 } as const;

/** Pulls diagnostics from units (a few at once, never the same unit twice at once) and answers the screens. */
export class DiagnosticsService {
  private readonly running = new Map<string, Promise<UnitSyncResult>>();
  private readonly tails = new Map<string, { timer: NodeJS.Timeout; lastId: number; busy: boolean }>();
  /** Per unit, the end of the last pull or recovery queued: a unit's logs are pulled by one at a time. */
  private readonly locks = new Map<string, Promise<void>>();
  private staging: (Staging & { temporary: boolean }) | null = null;
  private closed = false;

  constructor(private readonly opts: DiagnosticsServiceOptions) {
    // Logs staged by a companion that stopped before ingesting them go into the store now,
    // whether or not their unit is pulled again soon.
    if (opts.dataDir) {
      const dir = join(opts.dataDir, STAGING_DIR);
      let names: string[] = [];
      try {
        names = readdirSync(dir).filter((n) => n.endsWith(STAGING_SUFFIX));
      } catch {
        /* no staging folder yet */
      }
      for (const unitId of new Set(names.map((n) => n.split('_')[0]!))) {
        void this.exclusive(unitId, async () => {
          if (this.closed) return;
          const results = await ingestLeftovers(this.stagingArea(), unitId);
          const n = results.reduce((k, r) => k + r.added, 0);
          this.opts.log?.(`diagnostics ${unitId}: ${n} staged log records from an earlier run stored`);
        }).catch((err: unknown) => this.opts.log?.(`diagnostics ${unitId}: staged logs not ingested yet (${err instanceof Error ? err.message : String(err)})`));
      }
    }
  }

  private stagingArea(): Staging {
    if (!this.staging) {
      const dataDir = this.opts.dataDir;
      this.staging = dataDir
        ? { dir: join(dataDir, STAGING_DIR), ingester: new WorkerIngester(storeWriter(this.opts.store.db), this.opts.log), temporary: false }
        : { dir: mkdtempSync(join(tmpdir(), 'pitwall-staging-')), ingester: new InlineIngester(new LogWriter(this.opts.store.db)), temporary: true };
    }
    return this.staging;
  }

  /** Runs `fn` after every earlier pull or recovery of the unit has ended. */
  private exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.locks.get(id) ?? Promise.resolve()).then(fn);
    const end = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(id, end);
    void end.then(() => {
      if (this.locks.get(id) === end) this.locks.delete(id);
    });
    return run;
  }

  /** Units a pull covers by default: paired and online. */
  pullable(): string[] {
    return this.opts.units().filter((u) => u.online && u.pairing.state === 'paired').map((u) => u.id);
  }

  async sync(ids?: string[]): Promise<UnitSyncResult[]> {
    const targets = ids ?? this.pullable();
    const known = new Set(this.opts.units().map((u) => u.id));
    for (const id of targets) if (!known.has(id)) throw new CompanionError('not-found', `no unit with id ${id} in the device list`);
    for (const id of targets) this.opts.events('sync:progress', { unitId: id, phase: 'queued', done: 0, total: 0 });
    const results: UnitSyncResult[] = new Array(targets.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < targets.length && !this.closed) {
        const i = next++;
        results[i] = await this.syncOne(targets[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 4, targets.length) }, worker));
    return results.filter(Boolean);
  }

  /** One unit's pull; joins a pull of that unit already running. */
  syncOne(id: string): Promise<UnitSyncResult> {
    const existing = this.running.get(id);
    if (existing) return existing;
    const p = this.exclusive(id, () => this.runPull(id)).finally(() => this.running.delete(id));
    this.running.set(id, p);
    return p;
  }

  private async runPull(id: string): Promise<UnitSyncResult> {
    const emit = (phase: 'logs' | 'health' | 'crashes' | 'indexing' | 'done' | 'failed', done: number, total: number, message?: string): void =>
      this.opts.events('sync:progress', { unitId: id, phase, done, total, ...(message ? { message } : {}) });
    let source: ReturnType<DiagnosticsServiceOptions['source']> | null = null;
    try {
      source = this.opts.source(id);
      const result = await pullUnit(this.opts.store, this.stagingArea(), source, id, {
        onProgress: (phase, done, total) => emit(phase as 'logs', done, total),
        onInvalid: (reason) => this.opts.log?.(`diagnostics ${id}: skipped ${reason}`),
        onNote: (note) => this.opts.log?.(`diagnostics ${id}: ${note}`),
      });
      this.opts.store.pulls.note(id, null);
      if (result.gaps.length > 0) this.opts.log?.(`diagnostics ${id}: ${result.gaps.length} gap(s) in the log sequence`);
      emit('done', 1, 1, `${result.logs} log records, ${result.health} health snapshots, ${result.crashes} crash dumps`);
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.opts.store.pulls.note(id, message);
      emit('failed', 0, 0, message);
      return { unitId: id, ok: false, logs: 0, health: 0, crashes: 0, gaps: [], error: message };
    } finally {
      source?.close?.();
    }
  }

  /** Starts or stops the live tail of a unit: its newest boot pulled every second, new rows sent as `logs:tail`. */
  tail(id: string, on: boolean): void {
    const existing = this.tails.get(id);
    if (!on) {
      if (existing) clearInterval(existing.timer);
      this.tails.delete(id);
      return;
    }
    if (existing) return;
    const state = { lastId: this.opts.store.logs.maxRowId(id), busy: false, timer: setInterval(() => void tick(), this.opts.tailEveryMs ?? 1000) };
    const tick = async (): Promise<void> => {
      if (state.busy || this.closed) return;
      state.busy = true;
      try {
        if (!this.running.has(id)) {
          await this.exclusive(id, async () => {
            if (this.closed) return;
            const source = this.opts.source(id);
            try {
              await pullUnit(this.opts.store, this.stagingArea(), source, id, { logsOnly: 'latest-boot' });
            } finally {
              source.close?.();
            }
          });
        }
        for (;;) {
          const rows = this.opts.store.logs.rowsAfter(id, state.lastId, 500);
          if (rows.length === 0) break;
          state.lastId = rows.at(-1)!.id;
          this.opts.events('logs:tail', { unitId: id, rows });
          if (rows.length < 500) break;
        }
      } catch (err) {
        this.opts.log?.(`tail ${id}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        state.busy = false;
      }
    };
    this.tails.set(id, state);
    void tick();
  }

  healthSeries(id: string, from?: string, to?: string): HealthSeries {
    const snaps = this.opts.store.health.list(id, isoToMs(from), isoToMs(to));
    const points: HealthPoint[] = snaps.map((s) => ({
      time: s.time,
      cpuPct: s.cpuPct,
      socTempC: s.socTempC,
      diskUsedPct: s.dataPartition.usedPct,
      timeToFirstFixS: s.gnss.timeToFirstFixS,
      satellites: s.gnss.satellites,
      memoryUsedPct: s.memory.totalB > 0 ? Math.round((1 - s.memory.availableB / s.memory.totalB) * 1000) / 10 : 0,
      warnings: s.warnings,
    }));
    return { unitId: id, points, latest: snaps.at(-1) ?? null };
  }

  fleet(now = Date.now()): FleetHealthRow[] {
    const entries = new Map(this.opts.units().map((u) => [u.id, u]));
    const ids = new Set([...entries.keys(), ...this.opts.store.unitsWithData()]);
    const rows: FleetHealthRow[] = [];
    for (const id of ids) {
      const entry = entries.get(id);
      const latest = this.opts.store.health.list(id, null, null, 1)[0] ?? null;
      const crashes24h = this.opts.store.crashes.countSince(id, now - TROUBLE.crashWindowMs);
      const lastPull = this.opts.store.pulls.last(id);
      const flags: FleetHealthRow['flags'] = [];
      if (latest) {
        if ((latest.socTempC ?? 0) >= TROUBLE.hotC || latest.warnings.includes('hot')) flags.push('hot');
        if (latest.dataPartition.usedPct >= TROUBLE.diskFullPct || latest.warnings.includes('disk-low')) flags.push('disk-full');
        if (latest.gnss.timeToFirstFixS === null || latest.warnings.includes('no-fix')) flags.push('no-fix');
        if (now - Date.parse(latest.time) > TROUBLE.staleMs) flags.push('stale');
      }
      if (crashes24h > 0) flags.push('crashed');
      rows.push({
        unitId: id,
        unitName: entry?.name ?? id,
        online: entry?.online ?? false,
        lastHealth: latest?.time ?? null,
        cpuPct: latest?.cpuPct ?? null,
        socTempC: latest?.socTempC ?? null,
        diskUsedPct: latest?.dataPartition.usedPct ?? null,
        satellites: latest?.gnss.satellites ?? null,
        timeToFirstFixS: latest?.gnss.timeToFirstFixS ?? null,
        crashes24h,
        lastPull: lastPull ? new Date(lastPull).toISOString() : null,
        flags,
      });
    }
    return rows.sort((a, b) => b.flags.length - a.flags.length || a.unitName.localeCompare(b.unitName));
  }

  crashDetail(unitId: string, crashId: string): CrashDetail {
    const found = this.opts.store.crashes.get(unitId, crashId);
    if (!found) throw new CompanionError('not-found', `no crash dump ${crashId} of that unit is stored here (pull its diagnostics first)`);
    const { dump, summary } = found;
    const header = dump.report && typeof dump.report === 'object' ? (dump.report as Record<string, unknown>).header : null;
    return {
      crash: summary,
      errorName: dump.error.name,
      stack: dump.error.stack,
      state: dump.state,
      lastLogs: dump.lastLogs,
      report: header && typeof header === 'object' ? (header as Record<string, unknown>) : null,
    };
  }

  /** Stops the tails and the ingest worker (a pull still running fails; its staged logs stay for the next start). */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.tails.values()) clearInterval(t.timer);
    this.tails.clear();
    const staging = this.staging;
    this.staging = null;
    await staging?.ingester.close();
    if (staging?.temporary) rmSync(staging.dir, { recursive: true, force: true });
  }
}
