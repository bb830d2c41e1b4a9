import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVICE_CLI, startSimUnit, type SimUnit } from '../../../testbed/sim-unit.js';
import type { Companion } from '../../src/companion.js';
import { writeSyntheticNmea } from './synthetic-nmea.js';

/** A scratch directory removed by `cleanup`. */
export function scratchDir(tag: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `pitwall-app-${tag}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts a real simulated unit (the built device runtime) replaying a synthetic recording.
 * Outside a namespace it listens on 127.0.0.1 without mDNS (no multicast on real interfaces).
 */
export async function startUnit(root: string, name: string, netns?: string): Promise<SimUnit> {
  if (!existsSync(DEVICE_CLI)) throw new Error(`the device runtime is not built (${DEVICE_CLI}); run npm run build`);
  const dataDir = join(root, name);
  const recording = writeSyntheticNmea(join(root, `${name}.nmea`), 600);
  return startSimUnit({ dataDir, name, netns, recording });
}

/** Adds a unit by address, waits for its USB link and pairs over USB (physical presence). */
export async function pairOverUsb(companion: Companion, unit: SimUnit, role: 'owner' | 'support'): Promise<void> {
  await companion.handlers['devices:add-address']({ address: `127.0.0.1:${unit.ready.apiPort}` });
  await waitFor('usb link', () => companion.list().some((e) => e.links.some((l) => l.kind === 'usb' && l.online)), 10_000);
  await companion.handlers['pairing:pair']({ id: unit.ready.id, via: 'usb', role });
}

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Ends processes left behind by units this test started and then SIGKILLed (their socat pty
 * helpers outlive them): only processes whose command line names this test's scratch dir, by pid.
 */
export function killStrays(scratch: string): number {
  let killed = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmdline.includes(scratch)) continue;
    try {
      process.kill(Number(pid), 'SIGTERM');
      killed++;
    } catch {
      /* already gone */
    }
  }
  return killed;
}
