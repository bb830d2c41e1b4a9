import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BundleError } from '../update/bundle-error.js';
import { BUNDLE_HEADER_B, encodeBundleHeader } from '../update/bundle-header.js';
import { MANIFEST_FORMAT, MANIFEST_PAYLOAD_TYPE, type BundleFile, type DowngradePermission, type UpdateManifest } from '../update/bundle-manifest.js';
import type { EntryKind } from '../update/entry-kind.js';
import { KEY_LIST_PAYLOAD_TYPE, type VendorKeyList } from '../update/key-list.js';
import { signDsse, type SigningKey } from './dsse-envelope.js';
import { BundleSource } from './bundle-source.js';
import { parseManifest, readBundleHeadUnverified } from './bundle-read.js';
import { fsyncDir } from './atomic-file.js';

/** Vendor side: turning a runtime build into a bundle (`build`), then signing it (`sign`). */

export interface BuildOptions {
  runtimeDir: string;
  runtimeVersion: string;
  /** The runtime's entry, relative to runtimeDir (default cli.js). */
  entry?: string;
  /** `executable`: the entry is a single executable (an ELF file), started as it is; default `node`. */
  entryKind?: EntryKind;
  compatibleModels: string[];
  minReplaceVersion: string;
  buildTime?: Date;
  downgrade?: DowngradePermission;
}

/** Regular files under dir, sorted by path; symlinks and other kinds are refused (a bundle holds bytes only). */
export async function collectFiles(dir: string): Promise<{ file: BundleFile; abs: string }[]> {
  const out: { file: BundleFile; abs: string }[] = [];
  const names = (await readdir(dir, { recursive: true, encoding: 'utf8' })).sort();
  for (const name of names) {
    const abs = join(dir, name);
    const st = await lstat(abs);
    if (st.isDirectory()) continue;
    if (!st.isFile()) throw new Error(`${name} is not a regular file (symlinks and devices cannot go in a bundle)`);
    const hash = createHash('sha256');
    await pipeline(createReadStream(abs), hash);
    out.push({ file: { path: relative(dir, abs).split(sep).join('/'), size: st.size, sha256: hash.digest('hex') }, abs });
  }
  if (out.length === 0) throw new Error(`${dir} holds no files`);
  return out;
}

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += (await fh.write(bytes, at)).bytesWritten;
}

/** Writes a bundle file atomically (temp beside it, fsync, rename): a failed build leaves no half file. */
async function writeContainer(out: string, sections: { signed: boolean; keyList: Uint8Array | null; manifest: Uint8Array; payloadLength: number }, writePayload: (fh: FileHandle) => Promise<void>): Promise<void> {
  const tmp = `${out}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fh = await open(tmp, 'wx', 0o644);
  try {
    const keyList = sections.keyList ?? new Uint8Array(0);
    await writeAll(fh, encodeBundleHeader({ signed: sections.signed, keyListLength: keyList.length, manifestLength: sections.manifest.length, payloadLength: sections.payloadLength }));
    await writeAll(fh, keyList);
    await writeAll(fh, sections.manifest);
    await writePayload(fh);
    await fh.sync();
    await fh.close();
    await rename(tmp, out);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dirname(out));
}

async function copyInto(fh: FileHandle, abs: string, start = 0, length?: number): Promise<void> {
  const stream = createReadStream(abs, { start, end: length === undefined ? undefined : start + length - 1, highWaterMark: 1 << 20 });
  for await (const chunk of stream) await writeAll(fh, chunk as Buffer);
}

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/** An executable entry must be a Linux executable (and a node one must not be): caught here, not on the unit. */
async function checkEntryKind(abs: string, entry: string, kind: EntryKind): Promise<void> {
  const fh = await open(abs, 'r');
  const head = Buffer.alloc(4);
  try {
    await fh.read(head, 0, 4, 0);
  } finally {
    await fh.close();
  }
  const elf = head.equals(ELF_MAGIC);
  if (kind === 'executable' && !elf) throw new Error(`the entry "${entry}" is not an ELF executable (a single executable was asked for)`);
  if (kind === 'node' && elf) throw new Error(`the entry "${entry}" is an executable: say it is one (entryKind executable), or name the JavaScript entry`);
}

/** `pitwall bundle build`: an unsigned bundle of runtimeDir's files. Returns its manifest. */
export async function buildBundle(opts: BuildOptions, out: string): Promise<UpdateManifest> {
  const files = await collectFiles(opts.runtimeDir);
  const entry = opts.entry ?? 'cli.js';
  const entryFile = files.find((f) => f.file.path === entry);
  if (entryFile) await checkEntryKind(entryFile.abs, entry, opts.entryKind ?? 'node');
  const manifest: UpdateManifest = {
    format: MANIFEST_FORMAT,
    runtimeVersion: opts.runtimeVersion,
    compatibleModels: opts.compatibleModels,
    minReplaceVersion: opts.minReplaceVersion,
    buildTime: (opts.buildTime ?? new Date()).toISOString(),
    entry,
    ...(opts.entryKind === 'executable' ? { entryKind: 'executable' as const } : {}),
    files: files.map((f) => f.file),
    payloadSize: files.reduce((n, f) => n + f.file.size, 0),
    ...(opts.downgrade ? { downgrade: opts.downgrade } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  parseManifest(bytes, manifest.payloadSize); // the schema's verdict now, not on the unit
  await writeContainer(out, { signed: false, keyList: null, manifest: bytes, payloadLength: manifest.payloadSize }, async (fh) => {
    for (const f of files) await copyInto(fh, f.abs);
  });
  return manifest;
}

/** A signed key list (sigstore bundle JSON), for `bundle sign --key-list`. */
export function signKeyList(list: VendorKeyList, key: SigningKey): Promise<string> {
  return signDsse(Buffer.from(JSON.stringify(list)), KEY_LIST_PAYLOAD_TYPE, key);
}

/**
 * `pitwall bundle sign`: the same bundle with its manifest bytes signed (re-signed when it was
 * signed already) and, when given, a signed key list carried along.
 */
export async function signBundle(input: string, out: string, key: SigningKey, keyListJson?: string): Promise<{ manifest: UpdateManifest; keyId: string }> {
  const src = new BundleSource(createReadStream(input, { highWaterMark: 64 * 1024 }), { deadlineAt: Date.now() + 60_000, idleMs: 60_000 });
  let head: Awaited<ReturnType<typeof readBundleHeadUnverified>>;
  try {
    head = await readBundleHeadUnverified(src);
  } finally {
    src.close();
  }
  const payloadStart = BUNDLE_HEADER_B + head.header.keyListLength + head.header.manifestLength;
  const signed = Buffer.from(await signDsse(head.manifestBytes, MANIFEST_PAYLOAD_TYPE, key));
  const keyList = keyListJson !== undefined ? Buffer.from(keyListJson) : head.keyList;
  if (out === input) throw new BundleError('bad-header', 'write the signed bundle to another file than its input');
  await writeContainer(out, { signed: true, keyList, manifest: signed, payloadLength: head.header.payloadLength }, (w) => (head.header.payloadLength ? copyInto(w, input, payloadStart, head.header.payloadLength) : Promise.resolve()));
  return { manifest: head.manifest, keyId: key.keyId };
}
