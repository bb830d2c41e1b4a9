import { createServer, type Server, type Socket } from 'node:net';
import { unlink } from 'node:fs/promises';
import type { ButtonName, Gpio, LedName, LedPattern, SwitchName } from '../gpio.js';
import type { Logger } from '../../ops/logger.js';

const BUTTONS: readonly ButtonName[] = ['pair', 'recovery'];
const SWITCHES: readonly SwitchName[] = ['support', 'hotspot'];
const MAX_LINE = 256;
const HISTORY = 32;

/**
 * Sim GPIO: a unix socket (DATA_DIR/run/sim-gpio.sock) taking one command per line:
 * `press pair` -> `ok`, `hold recovery` / `release recovery` -> `ok` (held down or let go), `switch support on|off` -> `ok` (flips the support switch), `leds` -> `{"pair":false}` (lit or not), `led-patterns` -> `{"pair":"slow-blink"}`,
 * `led-history` -> the last patterns each LED showed (`{"pair":["off","slow-blink",...]}`),
 * `switch hotspot on|off` -> `ok` (moves the latch; the unit reads it at boot), the SimHooks
 * commands (`clock-offset MS` sets the wall clock); anything else -> `error ...`.
 */
/** Sim-only test hooks behind extra socket commands (never wired in a real profile). */
export interface SimHooks {
  /** `inject crash|hang|oom`: returns the answer line. */
  inject?: (what: 'crash' | 'hang' | 'oom') => string;
  /** `disk-free BYTES|real`: fakes the data partition's free space. */
  diskFree?: (bytes: number | null) => void;
  /** `clock-offset MS`: sets the unit's wall clock MS from the machine's (negative: back). */
  clockOffset?: (ms: number) => Promise<void>;
  /** The latching switches' positions at power-on (`switch hotspot on|off` moves one later). */
  switches?: Partial<Record<SwitchName, boolean>>;
  /** Buttons held down at power-on (`hold`/`release` change them later). */
  held?: Partial<Record<ButtonName, boolean>>;
}

export async function simGpio(socketPath: string, log: Logger, hooks: SimHooks = {}): Promise<Gpio> {
  const listeners = new Map<ButtonName, Set<() => void>>();
  const leds: Record<LedName, LedPattern> = { pair: 'off', support: 'off' };
  const history: Record<LedName, LedPattern[]> = { pair: ['off'], support: ['off'] };
  const switchListeners = new Map<SwitchName, Set<(on: boolean) => void>>();
  const clients = new Set<Socket>();
  const switches: Record<SwitchName, boolean> = { support: hooks.switches?.support ?? false, hotspot: hooks.switches?.hotspot ?? false };
  const held: Record<ButtonName, boolean> = { pair: hooks.held?.pair ?? false, recovery: hooks.held?.recovery ?? false };
  await unlink(socketPath).catch(() => {});

  const handle = (line: string): string => {
    const [cmd, arg, ...rest] = line.trim().split(/\s+/);
    if (cmd === 'press' && rest.length === 0 && BUTTONS.includes(arg as ButtonName)) {
      for (const l of listeners.get(arg as ButtonName) ?? []) l();
      return 'ok';
    }
    if ((cmd === 'hold' || cmd === 'release') && rest.length === 0 && BUTTONS.includes(arg as ButtonName)) {
      held[arg as ButtonName] = cmd === 'hold';
      return 'ok';
    }
    if (cmd === 'switch' && SWITCHES.includes(arg as SwitchName) && rest.length === 1 && (rest[0] === 'on' || rest[0] === 'off')) {
      switches[arg as SwitchName] = rest[0] === 'on';
      for (const l of switchListeners.get(arg as SwitchName) ?? []) l(rest[0] === 'on');
      return 'ok';
    }
    if (cmd === 'leds' && arg === undefined) return JSON.stringify({ pair: leds.pair !== 'off' });
    if (cmd === 'led-patterns' && arg === undefined) return JSON.stringify(leds);
    if (cmd === 'led-history' && arg === undefined) return JSON.stringify(history);
    if (cmd === 'inject' && hooks.inject && rest.length === 0 && (arg === 'crash' || arg === 'hang' || arg === 'oom')) return hooks.inject(arg);
    if (cmd === 'disk-free' && hooks.diskFree && rest.length === 0 && arg !== undefined && /^(real|\d{1,16})$/.test(arg)) {
      hooks.diskFree(arg === 'real' ? null : Number(arg));
      return 'ok';
    }
    if (cmd === 'clock-offset' && hooks.clockOffset && rest.length === 0 && arg !== undefined && /^-?\d{1,15}$/.test(arg)) {
      void hooks.clockOffset(Number(arg)).catch((err: Error) => log.warn(`sim clock: ${err.message}`));
      return 'ok';
    }
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
    onSwitch(name, listener) {
      let set = switchListeners.get(name);
      if (!set) switchListeners.set(name, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    readButton: (button) => held[button],
    setLed(led, pattern) {
      if (leds[led] === pattern) return;
      leds[led] = pattern;
      history[led].push(pattern);
      if (history[led].length > HISTORY) history[led].shift();
    },
    readSwitch: (name) => switches[name],
    async close() {
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unlink(socketPath).catch(() => {});
    },
  };
}
