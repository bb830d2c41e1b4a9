import { access, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from './atomic-file.js';
import type { Logger } from '../ops/logger.js';

/** One write(2): the bytes written, which may be fewer than asked (a disk filling up), or a rejection. */
export type WriteSome = (fh: FileHandle, data: Buffer) => Promise<number>;

export interface AuditStreamOptions {
  dir: string;
  /** File base name: BASE.jsonl, rotated to BASE.1.jsonl … BASE.KEEP.jsonl. */
  base: string;
  maxBytes: number;
  keep: number;
  /** datasync after every append (security records); false leaves it to the kernel's writeback. */
  sync: boolean;
  writeSome: WriteSome;
  log: Logger;
}

export interface AuditStream {
  /** Highest seq found at open (0: none). */
  readonly lastSeq: number;
  /** Appends one line (ending in '\n'); rejects when it did not reach the file whole. */
  append(line: string): Promise<void>;
  /** Opens the stream's files as they are now, oldest first (between appends, so no rotation falls between the opens). */
  openAll(): Promise<FileHandle[]>;
  close(): Promise<void>;
}

export const defaultWriteSome: WriteSome = async (fh, data) => (await fh.write(data)).bytesWritten;

/** A stream's files, oldest first: BASE.KEEP.jsonl … BASE.1.jsonl, then BASE.jsonl (any may be missing). */
export function streamFiles(dir: string, base: string, keep: number): string[] {
  return Array.from({ length: keep + 1 }, (_, i) => join(dir, i === keep ? `${base}.jsonl` : `${base}.${keep - i}.jsonl`));
}

/** Highest seq in the file; a torn last line (crash mid-append) is skipped. */
async function lastSeqOf(file: string): Promise<{ seq: number; endsClean: boolean }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (isEnoent(err)) return { seq: 0, endsClean: true };
    throw err;
  }
  const lines = text.split('\n');
  let seq = 0;
  for (let i = lines.length - 1; i >= 0 && seq === 0; i--) {
    try {
      const rec = JSON.parse(lines[i]!) as { seq?: unknown };
      if (typeof rec.seq === 'number') seq = rec.seq;
    } catch {
      /* torn or empty line */
    }
  }
  return { seq, endsClean: text.length === 0 || text.endsWith('\n') };
}

const isEnoent = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';
async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch (err) {
    if (isEnoent(err)) return false;
    throw err;
  }
}

/**
 * One append-only JSON-lines file with size rotation. Before an append would take BASE.jsonl
 * past maxBytes it becomes BASE.1.jsonl (BASE.1 becoming BASE.2 and so on, the one past `keep`
 * dropped): at most (keep + 1) × maxBytes on disk. Rotation only renames, each rename durable
 * before the next, so a crash inside one loses nothing kept. Appends and opens are serialised.
 */
export async function openAuditStream(o: AuditStreamOptions): Promise<AuditStream> {
  // Newest first: files[0] is BASE.jsonl, files[i] BASE.i.jsonl.
  const files = streamFiles(o.dir, o.base, o.keep).reverse();
  const file = files[0]!;
  const last = await lastSeqOf(file);
  let seq = last.seq;
  // Right after a rotation (or a crash inside one) BASE.jsonl is empty or missing.
  for (let i = 1; seq === 0 && i < files.length; i++) seq = (await lastSeqOf(files[i]!)).seq;
  let fh: FileHandle = await open(file, 'a', 0o600);
  let size = (await fh.stat()).size;
  // The file ends inside a line (a crash or a failed append): the next append ends it first,
  // else its record would be joined to the torn line and lost with it.
  let torn = !last.endsClean;
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn);
    chain = p.catch(() => undefined);
    return p;
  };

  // Shifts the files up to the first free number (BASE.KEEP, dropped, when none is free), oldest
  // first: a crash part-way never overwrites a file that has not moved on.
  const rotate = async () => {
    let free = 1;
    while (free < o.keep && (await exists(files[free]!))) free++;
    for (let i = free; i >= 1; i--) {
      try {
        await rename(files[i - 1]!, files[i]!);
      } catch (err) {
        if (isEnoent(err)) continue;
        throw err;
      }
      await fsyncDir(o.dir);
    }
    const old = fh;
    fh = await open(file, 'a', 0o600);
    torn = false;
    await old.close();
    await fsyncDir(o.dir);
  };

  const append = async (line: string) => {
    if (size > 0 && size + Buffer.byteLength(line) + (torn ? 1 : 0) > o.maxBytes) {
      // A failed rotation is tried again after another maxBytes, not on every record.
      await rotate().catch((err: Error) => o.log.error(`audit log: rotation of ${o.base} failed: ${err.message}`));
      size = 0;
    }
    const data = Buffer.from(torn ? `\n${line}` : line);
    let written = 0;
    try {
      // A short write is not a failure: the rest is written on (or fails with the reason).
      while (written < data.length) {
        const n = await o.writeSome(fh, data.subarray(written));
        if (!(n > 0)) throw new Error(`wrote ${n} of ${data.length - written} bytes`);
        written += n;
      }
    } finally {
      size += written;
      if (written > 0) torn = data[written - 1] !== 0x0a;
    }
    if (o.sync) await fh.datasync();
  };

  const openAll = async (): Promise<FileHandle[]> => {
    const handles: FileHandle[] = [];
    try {
      for (const f of [...files].reverse()) {
        try {
          handles.push(await open(f, 'r'));
        } catch (err) {
          if (!isEnoent(err)) throw err;
        }
      }
    } catch (err) {
      await Promise.all(handles.map((h) => h.close()));
      throw err;
    }
    return handles;
  };

  return {
    lastSeq: seq,
    append: (line) => serial(() => append(line)),
    openAll: () => serial(openAll),
    async close() {
      await chain;
      await fh.close();
    },
  };
}
