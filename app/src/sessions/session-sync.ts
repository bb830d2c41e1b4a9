import { mkdir } from 'node:fs/promises';
import type { DiskReserve } from '../store/disk-space.js';
import { downloadSession, preconnect, type DownloadLink, type DownloadResult } from './session-download.js';
import { openIngest } from './ingest-thread.js';
import { openSessionDecoder, type DecodedRows, type SessionDecoder } from './session-decoder.js';
import type { SessionStore } from './session-store.js';
import type { SessionMeta } from '@pitwall/protocol';

/** One paired, online unit as the sync sees it. */
export interface SyncSource extends DownloadLink {
  unitId: string;
  unitName: string;
  list(): Promise<SessionMeta[]>;
  confirm(sessionId: string, sha256: string): Promise<void>;
  /** Ends the connections kept open for this sync. */
  close?(): void;
}

export interface UnitProgress {
  unitId: string;
  unitName: string;
  state: 'listing' | 'syncing' | 'done' | 'failed';
  sessionsTotal: number;
  sessionsDone: number;
  bytesTotal: number;
  bytesDone: number;
  error: string | null;
}

export interface SyncProgress {
  units: UnitProgress[];
  bytesTotal: number;
  bytesDone: number;
  done: boolean;
}

export interface SyncReport {
  units: { unitId: string; unitName: string; fetched: number; skipped: number; failed: number; error: string | null }[];
  fetched: number;
  resumes: number;
  refetches: number;
}

export interface SyncOptions {
  store: SessionStore;
  partialDir: string;
  /** Downloads at once over all units. Default 3. */
  concurrency?: number;
  onProgress?: (p: SyncProgress) => void;
  log?: (m: string) => void;
  retryDelayMs?: number;
  /** Free space downloads leave on the disk of `partialDir` (default: 1 GiB, or 5% of a smaller disk). */
  disk?: DiskReserve;
  /** The decoder thread to use (the caller closes it); by default the sync opens its own. */
  decoder?: SessionDecoder;
}

/** A tiny semaphore: at most `n` holders. */
function limiter(n: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await job();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/**
 * Pulls every closed session not yet in the store from all given units at once, verifies and
 * ingests each, and confirms it to the unit only after the store committed it.
 */
export async function syncSessions(sources: readonly SyncSource[], o: SyncOptions): Promise<SyncReport> {
  await mkdir(o.partialDir, { recursive: true, mode: 0o700 });
  const limit = limiter(o.concurrency ?? 3);
  const progress: UnitProgress[] = sources.map((s) => ({ unitId: s.unitId, unitName: s.unitName, state: 'listing', sessionsTotal: 0, sessionsDone: 0, bytesTotal: 0, bytesDone: 0, error: null }));
  let lastEmit = 0;
  const emit = (force = false) => {
    const now = Date.now();
    if (!force && now - lastEmit < 100) return;
    lastEmit = now;
    const bytesTotal = progress.reduce((a, p) => a + p.bytesTotal, 0);
    const bytesDone = progress.reduce((a, p) => a + p.bytesDone, 0);
    o.onProgress?.({ units: progress.map((p) => ({ ...p })), bytesTotal, bytesDone, done: progress.every((p) => p.state === 'done' || p.state === 'failed') });
  };
  const report: SyncReport = { units: [], fetched: 0, resumes: 0, refetches: 0 };
  if (sources.length === 0) {
    emit(true);
    return report;
  }
  // Started now, so that the thread loads while the units are listed; ended unused if nothing is new.
  const ingest = openIngest(o.store);
  const decoder = o.decoder ?? openSessionDecoder();
  let jobs = 0;
  // One track list for the sync's sessions, read when the first one starts: the decoder thread gets one copy.
  let tracks: ReturnType<SessionStore['trackList']> | null = null;
  try {
    await Promise.all(
      sources.map(async (src, i) => {
        const p = progress[i]!;
        const line = { unitId: src.unitId, unitName: src.unitName, fetched: 0, skipped: 0, failed: 0, error: null as string | null };
        report.units.push(line);
        try {
          // The download connection comes up while the unit lists its sessions.
          const warm = preconnect(src);
          const listed = await src.list();
          await warm;
          const todo = listed.filter((s) => s.state === 'closed' && s.sha256 !== null);
          const fresh = todo.filter((s) => !o.store.has(src.unitId, s.id));
          // Stored but never confirmed (the companion stopped in between): confirm now.
          for (const s of todo) if (!s.confirmed && o.store.has(src.unitId, s.id)) await src.confirm(s.id, s.sha256!).catch((e: Error) => o.log?.(`confirm ${s.id}: ${e.message}`));
          line.skipped = todo.length - fresh.length;
          p.state = 'syncing';
          p.sessionsTotal = fresh.length;
          p.bytesTotal = fresh.reduce((a, s) => a + s.sizeB, 0);
          emit(true);
          let base = 0;
          await Promise.all(
            fresh.map((s) =>
              limit(async () => {
                const job = ++jobs;
                let begun = false; // the session has rows in the store (incomplete until completed)
                let got: DownloadResult | null = null;
                try {
                  const before = base;
                  base += s.sizeB;
                  const meta = { sha256: s.sha256!, unitName: src.unitName, sizeB: s.sizeB };
                  // Samples go to the store while the file downloads (as an incomplete session),
                  // decoded on the decoder's thread, so decoding and ingest overlap the transfer
                  // and leave this thread free; the session is completed only after the sha256 check.
                  // Rows of the stream stop counting once the whole file is decoded instead.
                  let from: DecodedRows['from'] = 'stream';
                  await decoder.open(job, {
                    unitId: src.unitId,
                    sessionId: s.id,
                    tracks: (tracks ??= o.store.trackList()),
                    onRows: (rows) => {
                      if (rows.from !== from) return;
                      if (!begun) {
                        ingest.begin(job, rows.header, meta);
                        begun = true;
                      }
                      return ingest.append(job, { fixes: rows.fixes, imu: rows.imu });
                    },
                  });
                  got = await downloadSession({
                    link: src,
                    sessionId: s.id,
                    sha256: s.sha256!,
                    sizeB: s.sizeB,
                    partialDir: o.partialDir,
                    retryDelayMs: o.retryDelayMs,
                    disk: o.disk,
                    trustedPrefix: (path) => decoder.verifiedPrefix(path),
                    onData: (bytes, offset) => decoder.push(job, offset, bytes),
                    onBytes: (have) => {
                      p.bytesDone = Math.max(p.bytesDone, before + have);
                      emit();
                    },
                  });
                  report.resumes += got.resumes;
                  report.refetches += got.refetches;
                  // The stream's decode counts only if the verified file is exactly what it saw.
                  const streamed = got.resumes === 0 && got.refetches === 0 ? await decoder.end(job, got.sizeB) : null;
                  if (streamed) {
                    await ingest.complete(job, streamed.session, streamed.laps);
                  } else {
                    // After a resume or a refetch: the whole verified file, decoded on the decoder's thread, takes the same way in.
                    from = 'file';
                    if (begun) await ingest.drop(job);
                    begun = false;
                    const whole = await decoder.whole(job, await got.file());
                    await ingest.complete(job, whole.session, whole.laps);
                  }
                  begun = false;
                  await Promise.all([src.confirm(s.id, s.sha256!), got.release()]);
                  line.fetched++;
                  report.fetched++;
                } catch (err) {
                  // No rows of it reach the store after this (its rows in flight are dropped).
                  decoder.forget(job);
                  if (begun) await ingest.drop(job).catch(() => undefined);
                  // A file that was refused is not kept: the unit still has it.
                  await got?.release().catch(() => undefined);
                  line.failed++;
                  line.error = (err as Error).message;
                  o.log?.(`sync ${src.unitName} ${s.id}: ${(err as Error).message}`);
                } finally {
                  decoder.forget(job);
                  p.sessionsDone++;
                  emit(true);
                }
              }),
            ),
          );
          p.state = line.failed > 0 ? 'failed' : 'done';
          p.error = line.error;
        } catch (err) {
          p.state = 'failed';
          p.error = line.error = (err as Error).message;
        } finally {
          src.close?.();
        }
        emit(true);
      }),
    );
  } finally {
    if (!o.decoder) await decoder.close();
    await ingest.close();
  }
  emit(true);
  return report;
}
