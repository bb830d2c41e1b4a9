// The simulated board: its files live under DATA_DIR/sim-board, standing for the SoC serial,
// /sys thermal zones and the data partition.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTemps, writeFileAtomic } from '../../identity/atomic-file.js';
import { readOr, type HardwareSerial } from '../hardware-serial.js';
import { thermalZones, type Thermal } from '../thermal.js';
import { realDisk, type Disk } from '../disk.js';

/**
 * Sim: a board serial made once in DATA_DIR/sim-board/serial. It stands for the SoC's fused
 * serial, so tests can "move the data partition to another board" by changing it.
 */
export async function readSimBoardSerial(dataDir: string): Promise<HardwareSerial> {
  const dir = join(dataDir, 'sim-board');
  const file = join(dir, 'serial');
  const existing = await readOr(file);
  if (existing) return { serial: existing, source: 'sim', warning: null };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await removeStaleTemps(file);
  const serial = randomBytes(8).toString('hex');
  await writeFileAtomic(file, `${serial}\n`, 0o644);
  return { serial, source: 'sim', warning: null };
}

/** Sim: a fake zone under DATA_DIR/sim-board (tests write its `temp` to make the unit hot). */
export async function simThermal(dataDir: string): Promise<Thermal & { zoneFile: string }> {
  const root = join(dataDir, 'sim-board');
  const zone = join(root, 'sys/class/thermal/thermal_zone0');
  await mkdir(zone, { recursive: true });
  const zoneFile = join(zone, 'temp');
  await readFile(zoneFile).catch(() => writeFile(zoneFile, '47500\n'));
  return { ...thermalZones(root), zoneFile };
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
