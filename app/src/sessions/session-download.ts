import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readFile, rm, stat, truncate } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';
import { decodeSession, MAX_SESSION_BYTES, routePath, Routes } from '@pitwall/protocol';
import { transferDeadlineMs } from '../device-client/transfer-deadline.js';
import { ensureRoom, mb, type DiskReserve } from '../store/disk-space.js';

export interface DownloadLink {
  /** `host:port` and an agent that checks the unit's pinned key (after the unit proved it). */
  connect(): Promise<{ target: string; agent: https.Agent }>;
}

export interface DownloadOptions {
  link: DownloadLink;
  sessionId: string;
  sha256: string;
  sizeB: number;
  /** Directory of partial downloads (user data): a cut resumes from the bytes kept here. */
  partialDir: string;
  onBytes?: (have: number, total: number) => void;
  /**
   * Every byte as it arrives, with the file offset it belongs at (for decoding during the
   * transfer); a returned promise holds the transfer until it settles (the consumer is behind).
   */
  onData?: (bytes: Buffer, offset: number) => Promise<void> | void;
  /** Attempts after cuts and failed checks before giving up. */
  maxAttempts?: number;
  idleTimeoutMs?: number;
  retryDelayMs?: number;
  /** Free space to leave on the disk of `partialDir`. */
  disk?: DiskReserve;
  /** The whole transfer, every attempt included, ends by `transferDeadlineMs(sizeB)` (the defaults) or this. */
  deadline?: { baseMs?: number; minBytesPerS?: number };
  /** How many bytes of the partial file at `path` can be trusted, after a cut (default: `verifiedPrefix` of its bytes, here). */
  trustedPrefix?: (path: string) => Promise<number>;
}

/**
 * A verified download. Its bytes stay in the file they were streamed to (hashed on the way),
 * not in memory: `read` loads them only for a caller that must decode the whole file again,
 * and `release` removes the file once the caller is done.
 */
export interface DownloadResult {
  sizeB: number;
  read(): Promise<Buffer>;
  /** The file's path, once its last write is done (for a decoder that reads it itself). */
  file(): Promise<string>;
  release(): Promise<void>;
  /** Connections that were cut or failed, and ranges fetched again after a failed check. */
  resumes: number;
  refetches: number;
}

/** A failure that fetching again would not cure: the consumer refused the bytes, the unit sent more than it listed, or the deadline passed. */
export class NotRetried extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bytes of a response handed on at a time (see fetchRange). */
const PIECE_BYTES = 128 * 1024;

/**
 * How many bytes of a partial file can be trusted: the header plus the chunks up to the first
 * one whose CRC fails (the rest is fetched again). Bytes of a torn last chunk are dropped too.
 */
export function verifiedPrefix(bytes: Buffer): number {
  try {
    const { stats } = decodeSession(bytes);
    return stats.corruptChunks.length > 0 ? Math.min(stats.corruptChunks[0]!, stats.goodLength) : stats.goodLength;
  } catch {
    return 0;
  }
}

/**
 * Downloads a closed session with HTTP Range, resuming after every cut from the verified bytes
 * already on disk (If-Range on the sha256 ETag: if the file changed on the unit, start over),
 * and checks the whole-file sha256 at the end; on a mismatch, the ranges from the first bad
 * chunk on are fetched again.
 */
export async function downloadSession(o: DownloadOptions): Promise<DownloadResult> {
  const path = join(o.partialDir, `${o.sessionId.replace(/[^A-Za-z0-9._-]/g, "_")}.${o.sha256.slice(0, 16)}.part`);
  const maxAttempts = o.maxAttempts ?? 40;
  let resumes = 0;
  let refetches = 0;
  let failures = 0;
  if (o.sizeB > MAX_SESSION_BYTES) throw new Error(`the unit lists session ${o.sessionId} at ${mb(o.sizeB)} MB, more than a session can be (${mb(MAX_SESSION_BYTES)} MB): not downloaded`);
  await ensureRoom(o.partialDir, o.sizeB - (await stat(path).then((s) => s.size, () => 0)), `session ${o.sessionId}`, o.disk);
  const allowed = transferDeadlineMs(o.sizeB, o.deadline);
  const deadline = Date.now() + allowed;
  const trusted = o.trustedPrefix ?? (async (p: string) => verifiedPrefix(await readFile(p)));
  const late = () => new NotRetried(`session ${o.sessionId}: not downloaded within ${Math.round(allowed / 1000)} s (${mb(o.sizeB)} MB): the unit sends too slowly`);
  for (;;) {
    if (Date.now() >= deadline) throw late();
    const have = await stat(path).then((s) => s.size, () => 0);
    if (have >= o.sizeB) {
      if (have === o.sizeB && (await fileSha256(path)) === o.sha256) return verified(path, o.sizeB, resumes, refetches, Promise.resolve());
      refetches++;
      if (++failures > maxAttempts) throw new Error(`session ${o.sessionId}: checksum still wrong after ${maxAttempts} attempts`);
      const keep = have === o.sizeB ? await trusted(path) : 0;
      await truncate(path, keep >= o.sizeB ? 0 : keep);
      continue;
    }
    if (have > 0) {
      // After a cut: keep only whole, CRC-valid chunks (a corrupted byte in what arrived is refetched).
      const keep = await trusted(path);
      if (keep !== have) await truncate(path, keep);
    }
    const from = await stat(path).then((s) => s.size, () => 0);
    try {
      const whole = await fetchRange(o, path, from, deadline, late);
      // The whole file in one response: hashed as it came, no need to read it back; the
      // partial file's last write finishes while the caller goes on.
      if (whole && whole.digest === o.sha256 && whole.size === o.sizeB) return verified(path, o.sizeB, resumes, refetches, whole.closed);
      await whole?.closed;
    } catch (err) {
      if (err instanceof NotRetried) throw err;
      resumes++;
      if (++failures > maxAttempts) throw new Error(`session ${o.sessionId}: download failed ${maxAttempts} times, last: ${(err as Error).message}`);
      await sleep(o.retryDelayMs ?? 100);
    }
  }
}

function verified(path: string, sizeB: number, resumes: number, refetches: number, closed: Promise<void>): DownloadResult {
  return {
    sizeB,
    resumes,
    refetches,
    read: async () => {
      await closed;
      return readFile(path);
    },
    file: async () => {
      await closed;
      return path;
    },
    release: async () => {
      await closed;
      await rm(path, { force: true });
    },
  };
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Opens a download connection ahead of the first download (a HEAD of the session list on the
 * download agent, which keeps it alive), so its TLS handshake overlaps the listing. Never fails:
 * the download opens its own connection if this one did not come up.
 */
export async function preconnect(link: DownloadLink, timeoutMs = 10_000): Promise<void> {
  try {
    const { target, agent } = await link.connect();
    const url = new URL(`https://${target}${routePath(Routes.sessions)}`);
    await new Promise<void>((resolve) => {
      const req = https.request({ hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: url.pathname, method: 'HEAD', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      });
      req.setTimeout(timeoutMs, () => req.destroy());
      req.on('error', () => resolve());
      req.end();
    });
  } catch {
    /* the download connects by itself */
  }
}

/**
 * Appends the unit's bytes from `from` on to the partial file. A response that carries the whole
 * file (from byte 0) is hashed on the way: its size and digest are returned as soon as it
 * ended, with `closed` for the partial file's last write.
 */
async function fetchRange(o: DownloadOptions, path: string, from: number, deadline: number, late: () => Error): Promise<{ size: number; digest: string; closed: Promise<void> } | null> {
  const { target, agent } = await o.link.connect();
  const url = new URL(`https://${target}${routePath(Routes.sessionFile, { params: { id: o.sessionId } })}`);
  const headers: Record<string, string> = {};
  if (from > 0) {
    headers.range = `bytes=${from}-`;
    headers['if-range'] = `"${o.sha256}"`;
  }
  return new Promise((resolve, reject) => {
    const req = https.request({ hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: url.pathname, method: 'GET', headers, agent }, (res) => {
      const status = res.statusCode ?? 0;
      const etag = String(res.headers.etag ?? '').replace(/^W\//, '').replace(/"/g, '');
      const sha = String(res.headers['pitwall-session-sha256'] ?? etag);
      if (status === 416) {
        res.resume();
        // Our partial file is longer than the unit's: start over.
        truncate(path, 0).then(() => reject(new Error('range not satisfiable')), reject);
        return;
      }
      if (status !== 200 && status !== 206) {
        res.resume();
        reject(new Error(`unit answered HTTP ${status} for session ${o.sessionId}`));
        return;
      }
      if (sha && sha !== o.sha256) {
        res.resume();
        reject(new Error(`session ${o.sessionId} changed on the unit (sha256 ${sha})`));
        return;
      }
      const start = status === 206 ? from : 0;
      open(path, start === 0 ? 'w' : 'r+').then(async (fh) => {
        await fh.truncate(start);
        await fh.close();
        const out = createWriteStream(path, { flags: 'a' });
        let have = start;
        const whole = start === 0 ? createHash('sha256') : null;
        res.setTimeout(o.idleTimeoutMs ?? 10_000, () => res.destroy(new Error('no data from the unit for too long')));
        // Why this side ended the response: destroy() also emits 'aborted', which must not hide it.
        let refused: Error | null = null;
        const refuse = (err: Error): void => {
          refused ??= err;
          res.destroy(err);
        };
        const overall = setTimeout(() => refuse(late()), Math.max(0, deadline - Date.now()));
        res.once('close', () => clearTimeout(overall));
        // Paused while the disk or the consumer is behind: nothing piles up in memory.
        let holds = 0;
        const hold = (until: Promise<unknown>): void => {
          if (holds++ === 0) res.pause();
          const release = () => {
            if (--holds === 0) res.resume();
          };
          void until.then(release, release);
        };
        // Bytes go on (to the file, the hash, the consumer) in pieces of up to PIECE_BYTES, not per
        // TLS record (16 KB): every file write and every hand-over costs this thread a call.
        let piece: Buffer[] = [];
        let pieceB = 0;
        let handed = start;
        const handOn = (): void => {
          if (pieceB === 0 || refused) return;
          const c = piece.length === 1 ? piece[0]! : Buffer.concat(piece, pieceB);
          piece = [];
          pieceB = 0;
          const at = handed;
          handed += c.length;
          if (!out.write(c)) hold(new Promise<void>((r) => out.once('drain', () => r())));
          whole?.update(c);
          let wait: Promise<void> | void;
          try {
            wait = o.onData?.(c, at);
          } catch (err) {
            // Thrown inside a socket's data handler it would end the process: it fails this download instead.
            return refuse(new NotRetried(`session ${o.sessionId}: ${(err as Error).message}`));
          }
          if (wait) hold(wait);
        };
        res.on('data', (c: Buffer) => {
          have += c.length;
          if (have > o.sizeB) return refuse(new NotRetried(`session ${o.sessionId}: the unit sent more bytes than the ${o.sizeB} it listed`));
          piece.push(c);
          pieceB += c.length;
          if (pieceB >= PIECE_BYTES || have === o.sizeB) handOn();
          o.onBytes?.(have, o.sizeB);
        });
        let closed: Promise<void> | null = null;
        const finish = (cause?: Error) => {
          if (closed) return;
          // What arrived before a cut is kept (the resume starts after its verified part).
          handOn();
          const err = refused ?? cause;
          closed = new Promise<void>((r) => out.end(() => r()));
          if (err) void closed.then(() => reject(err));
          else if (have < o.sizeB) void closed.then(() => reject(new Error('connection ended early')));
          else if (whole) resolve({ size: have, digest: whole.digest('hex'), closed });
          else void closed.then(() => resolve(null));
        };
        res.on('end', () => finish());
        res.on('error', (e) => finish(e));
        res.on('aborted', () => finish(new Error('connection cut')));
      }, reject);
    });
    req.setTimeout(o.idleTimeoutMs ?? 10_000, () => req.destroy(new Error('unit did not answer in time')));
    req.on('error', reject);
    req.end();
  });
}
