import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fsyncDir, writeFileAtomic, type PayloadFileSink, type PayloadSink } from '@pitwall/protocol/node';
import { BundleError, type UpdateManifest } from '@pitwall/protocol';

/**
 * Where a verified bundle's files go: the inactive slot. The verifier writes into a staging area
 * and only a fully verified payload is committed; anything else is discarded, so the slot's
 * content is never a mix of old and unverified new files. The slots module may bring its own
 * target (a whole-image slot, say); `directoryInstallTarget` is the runtime-in-a-directory one.
 */
export interface InstallTarget {
  /** Payload bytes the slot can hold; a larger bundle is refused before anything is written. */
  readonly capacityBytes: number;
  /** A fresh, empty staging area. The slot's present content stays as it is until commit. */
  stage(): Promise<StagedInstall>;
}

export interface StagedInstall extends PayloadSink {
  /** Every file verified: make the staged files the slot's content. */
  commit(manifest: UpdateManifest): Promise<void>;
  /** Remove everything staged; the slot is left as it was. Safe after a failed commit. */
  discard(): Promise<void>;
}

/** The manifest the payload came with, beside the runtime files of a committed slot. */
export const SLOT_MANIFEST_FILE = 'bundle-manifest.json';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * A slot that is a directory (e.g. DATA/slots/b). Staging is `<slot>.staging` beside it; commit
 * renames the slot away to `<slot>.replaced`, the staging dir into place, and removes the old
 * one. A crash between the two renames leaves the (inactive) slot missing, never holding
 * unverified files; the next stage() clears the leftovers.
 */
export function directoryInstallTarget(slotDir: string, capacityBytes: number): InstallTarget {
  return {
    capacityBytes,
    async stage() {
      const staging = `${slotDir}.staging`;
      // two installs into one slot would write into one staging dir
      if (stagingInUse.has(staging)) throw new BundleError('install-failed', 'another install into this slot is in progress');
      stagingInUse.add(staging);
      try {
        return await stageInto(slotDir, staging, () => void stagingInUse.delete(staging));
      } catch (err) {
        stagingInUse.delete(staging);
        throw err;
      }
    },
  };
}

const stagingInUse = new Set<string>();

async function stageInto(slotDir: string, staging: string, release: () => void): Promise<StagedInstall> {
  const replaced = `${slotDir}.replaced`;
  await rm(staging, { recursive: true, force: true });
  await rm(replaced, { recursive: true, force: true });
  await mkdir(dirname(slotDir), { recursive: true });
  await mkdir(staging, { mode: 0o755 });
  const dirs = new Set<string>([staging]);
  const openFiles = new Set<FileHandle>();
  return {
    async openFile(path: string, _size: number): Promise<PayloadFileSink> {
      const abs = resolve(staging, path);
      // manifest paths are checked already; this keeps a bug there from writing outside
      if (!abs.startsWith(staging + sep)) throw new Error(`payload path ${path} leaves the slot`);
      const dir = dirname(abs);
      if (!dirs.has(dir)) {
        await mkdir(dir, { recursive: true, mode: 0o755 });
        dirs.add(dir);
      }
      const fh: FileHandle = await open(abs, 'wx', 0o644);
      openFiles.add(fh);
      return {
        async write(chunk) {
          let at = 0;
          while (at < chunk.length) at += (await fh.write(chunk, at)).bytesWritten;
        },
        async finish() {
          await fh.sync();
          openFiles.delete(fh);
          await fh.close();
        },
      };
    },
    async commit(manifest) {
      await writeFileAtomic(join(staging, SLOT_MANIFEST_FILE), JSON.stringify(manifest), 0o644);
      for (const d of [...dirs].sort((a, b) => b.length - a.length)) await fsyncDir(d);
      const hadSlot = await exists(slotDir);
      if (hadSlot) await rename(slotDir, replaced);
      try {
        await rename(staging, slotDir);
      } catch (err) {
        if (hadSlot) await rename(replaced, slotDir).catch(() => undefined); // put the old slot back
        throw err;
      }
      await fsyncDir(dirname(slotDir));
      await rm(replaced, { recursive: true, force: true });
      release();
    },
    async discard() {
      for (const fh of openFiles) await fh.close().catch(() => undefined);
      openFiles.clear();
      await rm(staging, { recursive: true, force: true });
      release();
    },
  };
}
