import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What is held down as the sim unit powers on: DATA_DIR/sim/power-on.json, `{"recoveryHeld": true}`,
 * written by the testbed before it powers the unit on (a finger on the button while the power
 * goes in). Missing or unreadable: nothing held.
 */
export const simPowerOnFile = (dataDir: string) => join(dataDir, 'sim', 'power-on.json');

export async function simRecoveryHeld(dataDir: string): Promise<boolean> {
  try {
    const v: unknown = JSON.parse(await readFile(simPowerOnFile(dataDir), 'utf8'));
    return typeof v === 'object' && v !== null && (v as { recoveryHeld?: unknown }).recoveryHeld === true;
  } catch {
    return false;
  }
}
