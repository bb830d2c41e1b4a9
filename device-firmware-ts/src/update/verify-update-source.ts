import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BundleError, type EntryKind, type UpdateManifest } from '@pitwall/protocol';
import { fsyncDir } from '@pitwall/protocol/node';
import { directoryInstallTarget } from './bundle-install-target.js';
import type { KeyListStore } from './key-list-store.js';
import { verifyAndInstall, type VerifiedBundle } from './verify-install.js';
import type { UnitFacts } from './verify-policy.js';

/**
 * A signed bundle as the update agent's source: the agent's steps are download (into its staging
 * directory), verify, then install (the payload writes its files into the slot). Verification
 * streams, so download does it all: signature, policy and every file's hash while the staging
 * copy is written. verify checks that this run verified what is staged; writeFiles copies the
 * staged files into the slot hashing the bytes it writes, so a staged file changed after download
 * is refused, not installed.
 *
 * The two interfaces restate the agent's UpdateSource and SlotPayloadSource (update-state-runner.ts,
 * slot-installer.ts) structurally, so this module imports nothing of the slots code.
 */
export interface BundlePayload {
  readonly version: string;
  readonly entry: string;
  readonly entryKind?: EntryKind;
  readonly bytes: number;
  writeFiles(into: string, onBytes: (n: number) => void): Promise<void>;
}
export interface BundleUpdateSource {
  download(staging: string, onProgress: (fraction: number) => void): Promise<void>;
  verify(staging: string, onProgress: (fraction: number) => void): Promise<BundlePayload>;
  /** What download verified (signer, manifest), or null before. */
  verified(): VerifiedBundle | null;
}

export interface BundleUpdateOptions {
  /** Opens the bundle's bytes (a file stream, a request body); called once per download. */
  open: () => AsyncIterable<Uint8Array>;
  keys: KeyListStore;
  unit: UnitFacts;
  /** The slot's capacity: a larger payload is refused before a byte is staged. */
  capacityBytes: number;
  deadlineMs: number;
  idleMs?: number;
}

async function copyHashed(from: string, to: string, sha256: string, onBytes: (n: number) => void): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const fh = await open(to, 'wx', 0o644);
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(from, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      let at = 0;
      while (at < (chunk as Buffer).length) at += (await fh.write(chunk as Buffer, at)).bytesWritten;
      onBytes((chunk as Buffer).length);
    }
    if (hash.digest('hex') !== sha256) throw new BundleError('payload-mismatch', `staged file ${from} changed after it was verified`);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function payloadOf(staging: string, manifest: UpdateManifest): BundlePayload {
  return {
    version: manifest.runtimeVersion,
    entry: manifest.entry,
    ...(manifest.entryKind ? { entryKind: manifest.entryKind } : {}),
    bytes: manifest.payloadSize,
    async writeFiles(into, onBytes) {
      const dirs = new Set<string>();
      for (const f of manifest.files) {
        await copyHashed(join(staging, f.path), join(into, f.path), f.sha256, onBytes);
        dirs.add(dirname(join(into, f.path)));
      }
      for (const d of dirs) await fsyncDir(d);
    },
  };
}

export function bundleUpdateSource(o: BundleUpdateOptions): BundleUpdateSource {
  let result: VerifiedBundle | null = null;
  let stagedAt: string | null = null;
  return {
    verified: () => result,
    async download(staging, onProgress) {
      result = null;
      stagedAt = null;
      result = await verifyAndInstall({
        source: o.open(),
        target: directoryInstallTarget(staging, o.capacityBytes),
        keys: o.keys,
        unit: o.unit,
        deadlineMs: o.deadlineMs,
        ...(o.idleMs !== undefined ? { idleMs: o.idleMs } : {}),
        onProgress: (p) => p.phase === 'installing' && onProgress(p.total ? p.done / p.total : 1),
      });
      stagedAt = staging;
    },
    async verify(staging, onProgress) {
      // after a restart nothing in memory vouches for the staging dir: download again
      if (!result || stagedAt !== staging) throw new BundleError('not-verified', 'no bundle was verified into this staging directory in this run; download it again');
      let i = 0;
      for (const f of result.manifest.files) {
        const st = await stat(join(staging, f.path)).catch(() => null);
        if (!st?.isFile() || st.size !== f.size) throw new BundleError('payload-mismatch', `staged file ${f.path} is missing or changed size`);
        onProgress(++i / result.manifest.files.length);
      }
      return payloadOf(staging, result.manifest);
    },
  };
}
