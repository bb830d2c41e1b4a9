import { statfs } from 'node:fs/promises';

export interface DiskUsage {
  totalB: number;
  freeB: number;
}

/** The data partition's size and free space. */
export interface Disk {
  usage(): Promise<DiskUsage>;
}

export function realDisk(path: string): Disk {
  return {
    async usage() {
      const s = await statfs(path);
      return { totalB: s.blocks * s.bsize, freeB: s.bavail * s.bsize };
    },
  };
}

/** Sim: the real statfs, with free space overridable by a test hook (sim gpio `disk-free BYTES|real`). */
export interface SimDisk extends Disk {
  setFakeFree(bytes: number | null): void;
}

export function simDisk(path: string): SimDisk {
  const real = realDisk(path);
  let fakeFree: number | null = null;
  return {
    async usage() {
      const u = await real.usage();
      return fakeFree === null ? u : { totalB: u.totalB, freeB: Math.min(fakeFree, u.totalB) };
    },
    setFakeFree(bytes) {
      fakeFree = bytes;
    },
  };
}
