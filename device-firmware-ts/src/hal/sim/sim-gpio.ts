import { createServer, type Server, type Socket } from 'node:net';
import { unlink } from 'node:fs/promises';
import type { ButtonName, Gpio, LedName } from '../gpio.js';
import type { Logger } from '../../ops/logger.js';

const BUTTONS: readonly ButtonName[] = ['pair'];
const MAX_LINE = 256;

/**
 * Sim GPIO: a unix socket (DATA_DIR/run/sim-gpio.sock) taking one command per line:
 * `press pair` -> `ok`, `leds` -> `{"pair":false}`; anything else -> `error ...`.
 */
export async function simGpio(socketPath: string, log: Logger): Promise<Gpio> {
  const listeners = new Map<ButtonName, Set<() => void>>();
  const leds: Record<LedName, boolean> = { pair: false };
  const clients = new Set<Socket>();
  await unlink(socketPath).catch(() => {});

  const handle = (line: string): string => {
    const [cmd, arg, ...rest] = line.trim().split(/\s+/);
    if (cmd === 'press' && rest.length === 0 && BUTTONS.includes(arg as ButtonName)) {
      for (const l of listeners.get(arg as ButtonName) ?? []) l();
      return 'ok';
    }
    if (cmd === 'leds' && arg === undefined) return JSON.stringify(leds);
    return `error unknown command (use "press ${BUTTONS.join('|')}" or "leds")`;
  };

  const server: Server = createServer((sock) => {
    clients.add(sock);
    sock.setEncoding('utf8');
    let buf = '';
    sock.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        sock.write(`${handle(line)}\n`);
      }
      if (buf.length > MAX_LINE) sock.destroy();
    });
    sock.on('error', () => {});
    sock.on('close', () => clients.delete(sock));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  log.info(`sim gpio on ${socketPath}`);
  return {
    kind: 'sim',
    onPress(button, listener) {
      let set = listeners.get(button);
      if (!set) listeners.set(button, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    setLed(led, on) {
      leds[led] = on;
    },
    async close() {
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unlink(socketPath).catch(() => {});
    },
  };
}
