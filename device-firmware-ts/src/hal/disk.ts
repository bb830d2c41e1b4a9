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
