import { BundleError, type UpdateManifest } from '@pitwall/protocol';
import { BundleSource, readBundleHead, streamPayload, type VendorKeySet } from '@pitwall/protocol/node';
import type { InstallTarget, StagedInstall } from './bundle-install-target.js';
import type { KeyListStore } from './key-list-store.js';
import { manifestRefusal, type UnitFacts } from './verify-policy.js';

export interface VerifyInstallOptions {
  /** The bundle as it arrives: a file read stream, an HTTP request body. */
  source: AsyncIterable<Uint8Array>;
  /** The inactive slot. */
  target: InstallTarget;
  keys: KeyListStore;
  unit: UnitFacts;
  /** The whole bundle must have arrived within this long. */
  deadlineMs: number;
  /** The sender may be silent this long at most (default: 30 s, or the deadline if shorter). */
  idleMs?: number;
  onProgress?: (progress: VerifyProgress) => void;
}

export type VerifyProgress = { phase: 'verifying' } | { phase: 'installing'; done: number; total: number };

export interface VerifiedBundle {
  manifest: UpdateManifest;
  signerKeyId: string;
  /** The vendor key list's sequence after this bundle (higher when it carried a newer list). */
  keyListSequence: number;
}

/** A write error (ENOSPC, EIO) becomes a refusal with a code; a BundleError stays itself. */
function asBundleError(err: unknown): BundleError {
  if (err instanceof BundleError) return err;
  const e = err as NodeJS.ErrnoException;
  return new BundleError('install-failed', `writing the slot failed: ${e.code ?? e.message ?? String(err)}`);
}

async function verifiedHead(src: BundleSource, trust: VendorKeySet, unit: UnitFacts, capacity: number) {
  const head = await readBundleHead(src, trust);
  const refusal = manifestRefusal(head.manifest, unit, capacity);
  if (refusal) throw refusal;
  return head;
}

/**
 * Verifies a bundle as it streams in and installs it into `target`:
 *  1. header and section sizes (manifest, key list) checked against their limits;
 *  2. the key list (if any) and the manifest's signature checked against the trusted keys;
 *  3. the signed manifest checked against this unit (model, anti-rollback, slot size);
 *  4. the payload hashed file by file as it is written to a staging area, each file's sha256
 *     compared with the signed manifest's; the bytes hashed are the bytes written, never re-read;
 *  5. only then the staging area committed as the slot's content, and a newer key list kept.
 * Any refusal (BundleError, with a code) discards the staging area: the slot is left as it was.
 */
export async function verifyAndInstall(opts: VerifyInstallOptions): Promise<VerifiedBundle> {
  const idleMs = Math.min(opts.idleMs ?? 30_000, opts.deadlineMs);
  const src = new BundleSource(opts.source, { deadlineAt: Date.now() + opts.deadlineMs, idleMs });
  let staged: StagedInstall | null = null;
  try {
    opts.onProgress?.({ phase: 'verifying' });
    const head = await verifiedHead(src, opts.keys.current(), opts.unit, opts.target.capacityBytes);
    staged = await opts.target.stage();
    const onProgress = opts.onProgress;
    await streamPayload(src, head.manifest, staged, onProgress && ((done, total) => onProgress({ phase: 'installing', done, total })));
    await staged.commit(head.manifest);
    staged = null;
    await opts.keys.save(head.keySet);
    return { manifest: head.manifest, signerKeyId: head.signerKeyId, keyListSequence: head.keySet.sequence };
  } catch (err) {
    await staged?.discard().catch(() => undefined);
    throw asBundleError(err);
  } finally {
    src.close();
  }
}
