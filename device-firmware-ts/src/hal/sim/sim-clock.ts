import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../identity/atomic-file.js';
import type { SystemClock } from '../system-clock.js';

/**
 * Sim: the machine's clock plus an offset (ms), as if someone had set the unit's clock. Kept in
 * DATA_DIR/sim-board/clock-offset-ms (read at boot, so a test can set it before a boot) and
 * changed on a running unit with the sim GPIO socket's `clock-offset MS`.
 */
export interface SimClock extends SystemClock {
  setOffset(ms: number): Promise<void>;
}

export const simClockFile = (dataDir: string): string => join(dataDir, 'sim-board', 'clock-offset-ms');

export function simClock(dataDir: string): SimClock {
  const file = simClockFile(dataDir);
  let offset = 0;
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    if (Number.isSafeInteger(n)) offset = n;
  } catch {
    offset = 0; // none set: the machine's clock
  }
  return {
    nowMs: () => Date.now() + offset,
    async setOffset(ms) {
      offset = ms;
      await mkdir(join(dataDir, 'sim-board'), { recursive: true, mode: 0o700 });
      await writeFileAtomic(file, `${ms}\n`, 0o644);
    },
  };
}
