import { statfs } from 'node:fs/promises';

/**
 * Free space the companion keeps on its disk when it stores what units send (staged logs,
 * session downloads): 1 GiB, or 5% of a smaller disk. A unit that sends without end, or lists
 * a huge file, stops there instead of filling the laptop.
 */
export async function defaultMinFreeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Math.min(1024 ** 3, Math.floor(s.blocks * s.bsize * 0.05));
}

/** Bytes the current user may still write on the disk holding `dir`. */
export async function freeBytesAt(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

export interface DiskReserve {
  /** Free space to leave (default `defaultMinFreeBytes`). */
  minFreeBytes?: number;
  /** How free space is read (default `freeBytesAt`; tests simulate a filling disk). */
  freeBytes?: (dir: string) => Promise<number>;
}

/** The companion's disk is too full for what was to be stored. */
export class DiskSpaceError extends Error {}

/** Megabytes, rounded, for messages. */
export const mb = (bytes: number): string => Math.round(bytes / 1024 ** 2).toLocaleString('en');

/** Throws DiskSpaceError unless `bytes` more fit on the disk of `dir` with the reserve left free. */
export async function ensureRoom(dir: string, bytes: number, what: string, reserve: DiskReserve = {}): Promise<void> {
  const min = reserve.minFreeBytes ?? (await defaultMinFreeBytes(dir));
  const free = await (reserve.freeBytes ?? freeBytesAt)(dir);
  if (free < min + bytes) throw new DiskSpaceError(`the companion's disk is too full for ${what} (${mb(bytes)} MB; ${mb(free)} MB free, ${mb(min)} MB kept free)`);
}
