/**
 * The sessions directory (DATA_DIR/sessions): one `<id>.pws` per session plus, once closed, a
 * `<id>.json` sidecar with its metadata (checksum, confirmation), written atomically. Ids are
 * checked against SESSION_ID_PATTERN before any path is built, so no request can name a file
 * outside the directory.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeSession, sessionLaps, sessionMeta, SESSION_ID_PATTERN, type SessionData, type SessionMeta } from '@pitwall/protocol';
import { fsyncDir, writeFileAtomic } from '../identity/atomic-file.js';
import type { Logger } from '../ops/logger.js';

const ID_RE = new RegExp(SESSION_ID_PATTERN);
export const isSessionId = (id: string): boolean => ID_RE.test(id);


/** A new id from the receiver time of the first sample. */
export function newSessionId(startMs: number): string {
  const iso = new Date(startMs).toISOString();
  return `${iso.slice(0, 19).replace(/[-:]/g, '')}Z-${randomBytes(3).toString('hex')}`;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Metadata of a decoded file (laps and best lap from its lap events). */
export function metaFromData(id: string, data: SessionData, sizeB: number, trackNameOf: (id: string) => string | null): SessionMeta {
  const laps = sessionLaps(data.events);
  const best = laps.reduce<number | null>((b, l) => (b === null || l.timeMs < b ? l.timeMs : b), null);
  const trackId = data.summary?.trackId ?? data.header.trackId;
  const start = Date.parse(data.header.startedAt);
  const lastT = Math.max(data.fixes.at(-1)?.t ?? start, data.imu.at(-1)?.t ?? start);
  const end = data.summary ? Date.parse(data.summary.endedAt) : lastT;
  return {
    id,
    track: trackId ? { id: trackId, name: trackNameOf(trackId) ?? trackId } : null,
    start: data.header.startedAt,
    durationS: Math.max(0, Math.round((end - start) / 100) / 10),
    laps: laps.length,
    bestLapMs: best,
    sizeB,
    sha256: null,
    state: data.summary ? 'closed' : 'recording',
    confirmed: false,
  };
}

export class SessionStore {
  private readonly metas = new Map<string, SessionMeta>();

  private constructor(
    readonly dir: string,
    private readonly trackNameOf: (id: string) => string | null,
    private readonly log: Logger,
  ) {}

  static async open(dataDir: string, trackNameOf: (id: string) => string | null, log: Logger): Promise<SessionStore> {
    const store = new SessionStore(join(dataDir, 'sessions'), trackNameOf, log);
    await mkdir(store.dir, { recursive: true, mode: 0o750 });
    await store.scan();
    return store;
  }

  path(id: string): string {
    if (!isSessionId(id)) throw new Error(`bad session id ${JSON.stringify(id)}`);
    return join(this.dir, `${id}.pws`);
  }

  private sidecar(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private async scan(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const id = name.endsWith('.pws') ? name.slice(0, -4) : '';
      if (!isSessionId(id)) continue;
      try {
        const size = (await stat(this.path(id))).size;
        const side = await readFile(this.sidecar(id), 'utf8').then((t) => sessionMeta.parse(JSON.parse(t)), () => null);
        if (side && side.sizeB === size && side.sha256) {
          this.metas.set(id, side);
          continue;
        }
        const data = decodeSession(new Uint8Array(await readFile(this.path(id))));
        const meta = metaFromData(id, data, size, this.trackNameOf);
        this.metas.set(id, meta);
        if (meta.state === 'closed') await this.markClosed(id, meta);
      } catch (err) {
        this.log.warn(`session ${id}: unreadable, not listed: ${(err as Error).message}`);
      }
    }
  }

  list(): SessionMeta[] {
    return [...this.metas.values()].sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id));
  }

  get(id: string): SessionMeta | undefined {
    return isSessionId(id) ? this.metas.get(id) : undefined;
  }

  /** Sessions left recording by a crash. */
  unfinished(): SessionMeta[] {
    return this.list().filter((m) => m.state === 'recording');
  }

  /** The recorder's view of the open session. */
  update(meta: SessionMeta): void {
    this.metas.set(meta.id, meta);
  }

  /** After the summary is written: checksum the whole file and persist the metadata. */
  async markClosed(id: string, meta: SessionMeta): Promise<SessionMeta> {
    const path = this.path(id);
    const closed: SessionMeta = { ...meta, state: 'closed', sizeB: (await stat(path)).size, sha256: await sha256OfFile(path) };
    await writeFileAtomic(this.sidecar(id), JSON.stringify(closed), 0o640);
    this.metas.set(id, closed);
    return closed;
  }

  async confirm(id: string): Promise<SessionMeta> {
    const meta = this.metas.get(id)!;
    const confirmed = { ...meta, confirmed: true };
    await writeFileAtomic(this.sidecar(id), JSON.stringify(confirmed), 0o640);
    this.metas.set(id, confirmed);
    return confirmed;
  }

  async remove(id: string): Promise<void> {
    this.metas.delete(id);
    await unlink(this.path(id)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await unlink(this.sidecar(id)).catch(() => {});
    await fsyncDir(this.dir);
  }
}
