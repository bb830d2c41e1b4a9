import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../ops/logger.js';
import { realGpio, type Gpio } from './gpio.js';
import { simGpio } from './sim/sim-gpio.js';
import { simRecoveryHeld } from './sim/sim-power-on.js';

/**
 * Whether the recovery button is held as the unit powers on: read once by the launcher, before
 * any runtime slot starts. A real board reads its GPIO line (not wired yet on the reference
 * board: never held); the sim reads what the testbed holds (sim/sim-power-on.ts).
 */
export async function recoveryHeldAtBoot(board: 'real' | 'sim', dataDir: string): Promise<boolean> {
  if (board === 'sim') return simRecoveryHeld(dataDir);
  return realGpio().readButton('recovery') === true;
}

/** Recovery mode's GPIO (its LED): the board's, or the sim's socket (DATA_DIR/run/sim-gpio.sock) with the button still held. */
export async function openRecoveryGpio(board: 'real' | 'sim', dataDir: string, log: Logger): Promise<Gpio> {
  if (board === 'real') return realGpio();
  await mkdir(join(dataDir, 'run'), { recursive: true });
  return simGpio(join(dataDir, 'run', 'sim-gpio.sock'), log, { held: { recovery: true } });
}
