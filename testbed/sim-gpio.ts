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
