import { createConnection } from 'node:net';
import { join } from 'node:path';

export type SimButton = 'pair';

/** Path of a sim unit's GPIO socket (the unit creates it at boot). */
export const simGpioSocket = (dataDir: string) => join(dataDir, 'run', 'sim-gpio.sock');

/** Sends one line to the sim unit's GPIO socket and returns its one-line answer. */
export function simGpioCommand(dataDir: string, line: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(simGpioSocket(dataDir));
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`sim gpio: no answer to "${line}" in ${timeoutMs} ms`));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${line}\n`));
    sock.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      sock.end();
      resolve(buf.slice(0, nl));
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`sim gpio at ${simGpioSocket(dataDir)}: ${err.message}`));
    });
  });
}

/** Presses a button on a running sim unit (e.g. `pair` opens the network pairing window). */
export async function pressSimButton(dataDir: string, button: SimButton): Promise<void> {
  const answer = await simGpioCommand(dataDir, `press ${button}`);
  if (answer !== 'ok') throw new Error(`sim gpio: press ${button}: ${answer}`);
}

export type SimFault = 'crash' | 'hang' | 'oom';

/**
 * Injects a fault into a running sim unit (`inject crash|hang|oom`): an uncaught exception, a
 * blocked event loop (the hang watchdog dumps and kills it), or heap exhaustion (start the unit
 * with NODE_OPTIONS=--max-old-space-size=<=512, else the unit refuses).
 */
export async function injectSimFault(dataDir: string, fault: SimFault): Promise<void> {
  const answer = await simGpioCommand(dataDir, `inject ${fault}`);
  if (answer !== 'ok') throw new Error(`sim gpio: inject ${fault}: ${answer}`);
}

/** Fakes the data partition's free space on a sim unit (null: the real value again). */
export async function setSimDiskFree(dataDir: string, bytes: number | null): Promise<void> {
  const answer = await simGpioCommand(dataDir, `disk-free ${bytes === null ? 'real' : Math.floor(bytes)}`);
  if (answer !== 'ok') throw new Error(`sim gpio: disk-free: ${answer}`);
}
