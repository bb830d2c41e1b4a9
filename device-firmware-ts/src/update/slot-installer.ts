import { chmod, lstat, mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { slotManifest, type EntryKind, type SlotManifest } from '@pitwall/protocol/update';
import { fsyncDir, writeFileAtomic } from '@pitwall/protocol/node';
import { SLOT_MANIFEST } from './slot-layout.js';
import type { UpdateSource } from './update-state-runner.js';

/**
 * Where an install's files come from. The slot side (this module) clears the slot, lets the
 * source write the files, and only then writes slot.json, so a slot is bootable only once whole.
 * The source side is where verification lives: a signed bundle's source hashes each file as it
 * writes it and rejects on the first mismatch (the slot is then left without slot.json).
 */
export interface SlotPayloadSource {
  /** The runtime version the payload carries (from its verified manifest). */
  readonly version: string;
  /** The runtime's entry, relative to the slot directory. */
  readonly entry: string;
  /** How the launcher starts it (absent: with node). */
  readonly entryKind?: EntryKind;
  /** Total bytes, for progress. */
  readonly bytes: number;
  /** Writes every file of the payload under `into` (empty, existing); fsyncs what it writes. */
  writeFiles(into: string, onBytes: (n: number) => void): Promise<void>;
}

/** Installs `source` into `slotDir`: nothing bootable there until every file is written and synced. */
export async function installInto(slotDir: string, source: SlotPayloadSource, onProgress: (fraction: number) => void = () => {}): Promise<SlotManifest> {
  // slot.json first: from here on the slot is incomplete, whatever happens next.
  await rm(join(slotDir, SLOT_MANIFEST), { force: true });
  await mkdir(slotDir, { recursive: true });
  await fsyncDir(slotDir);
  await rm(slotDir, { recursive: true, force: true });
  await mkdir(slotDir, { recursive: true });
  let done = 0;
  await source.writeFiles(slotDir, (n) => {
    done += n;
    onProgress(source.bytes > 0 ? Math.min(1, done / source.bytes) : 1);
  });
  const entry = join(slotDir, source.entry);
  const st = await lstat(entry).catch(() => {
    throw new Error(`the payload has no runtime entry "${source.entry}"`);
  });
  if (!st.isFile()) throw new Error(`the runtime entry "${source.entry}" is not a regular file`);
  // Payload files are written 0644; only a single-executable entry becomes executable.
  if (source.entryKind === 'executable') await chmod(entry, 0o755);
  const kind = source.entryKind === 'executable' ? { entryKind: source.entryKind } : {};
  const manifest = slotManifest.parse({ version: source.version, entry: source.entry, ...kind, bytes: source.bytes, installedAt: new Date().toISOString() });
  await fsyncDir(slotDir);
  await writeFileAtomic(join(slotDir, SLOT_MANIFEST), `${JSON.stringify(manifest)}\n`, 0o644);
  return manifest;
}

async function filesUnder(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  return names.filter((d) => d.isFile()).map((d) => relative(dir, join(d.parentPath, d.name))).sort();
}

/** Copies a file and fsyncs it, counting bytes as they pass. */
export async function copyFileSynced(from: string, to: string, onBytes: (n: number) => void): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const fh = await open(to, 'wx', 0o644);
  try {
    for await (const chunk of createReadStream(from)) {
      await fh.write(chunk as Buffer);
      onBytes((chunk as Buffer).length);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * A plain directory as an install source (an unpacked runtime build; no signature, so only for
 * the sim, tests and a verifier that has already checked the directory).
 */
export async function directoryPayload(dir: string, o: { version: string; entry: string; entryKind?: EntryKind }): Promise<SlotPayloadSource> {
  const files = (await filesUnder(dir)).filter((f) => f !== SLOT_MANIFEST);
  let bytes = 0;
  for (const f of files) bytes += (await stat(join(dir, f))).size;
  return {
    version: o.version,
    entry: o.entry,
    ...(o.entryKind ? { entryKind: o.entryKind } : {}),
    bytes,
    async writeFiles(into, onBytes) {
      for (const f of files) await copyFileSynced(join(dir, f), join(into, f), onBytes);
      const dirs = new Set(files.map((f) => dirname(join(into, f))));
      for (const d of dirs) await fsyncDir(d);
    },
  };
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * An update from a plain directory (the sim and tests; no signature): download copies it into
 * staging, verify checks the staged copy against the hashes the source had when the download
 * began, install copies the staged files into the slot.
 */
export function directoryUpdate(dir: string, o: { version: string; entry: string; entryKind?: EntryKind }): UpdateSource {
  let expected = new Map<string, string>();
  return {
    async download(staging, onProgress) {
      const files = await filesUnder(dir);
      expected = new Map();
      for (const f of files) expected.set(f, await sha256File(join(dir, f)));
      const payload = await directoryPayload(dir, o);
      let done = 0;
      await payload.writeFiles(staging, (n) => onProgress(payload.bytes ? (done += n) / payload.bytes : 1));
    },
    async verify(staging, onProgress) {
      const files = await filesUnder(staging);
      if (files.length !== expected.size) throw new Error(`staged ${files.length} files, the source had ${expected.size}`);
      let i = 0;
      for (const f of files) {
        if ((await sha256File(join(staging, f))) !== expected.get(f)) throw new Error(`staged file ${f} does not match the source`);
        onProgress(++i / files.length);
      }
      return directoryPayload(staging, o);
    },
  };
}
