/**
 * The unit's buttons, switches and LEDs on GPIO lines (libgpiod v1 tools, see gpiod-tools.ts),
 * behind the HAL's Gpio interface. Buttons report presses (a debounced closing), switches their
 * position now and each flip, LEDs show a pattern by holding or toggling their line.
 */
import type { Logger } from '../../ops/logger.js';
import type { Gpio, LedPattern } from '../gpio.js';
import { OutputLine, readInputs, watchInputs, type GpiodOptions } from './gpiod-tools.js';

export interface GpiodBoardOptions extends GpiodOptions {
  /** Logical name -> line offset on `chip`. */
  buttons: Record<string, number>;
  switches: Record<string, number>;
  leds: Record<string, number>;
  log: Logger;
}

/** Half-periods of the blink patterns, ms. */
const BLINK_MS: Partial<Record<LedPattern, number>> = { 'slow-blink': 500, 'fast-blink': 125 };

export interface GpiodBoard extends Gpio {
  /** Any configured button (pair, recovery), by name. */
  onPress(button: string, listener: () => void): () => void;
  /** Whether a button is held now (true = closed), or null when the board has no such button. */
  readButton(button: string): boolean | null;
  /** A switch's position (true = closed), or null when the board has no such switch. */
  readSwitch(name: string): boolean | null;
  /** Calls `listener` on each flip of switch `name`; returns the unsubscribe function. */
  onSwitch(name: string, listener: (on: boolean) => void): () => void;
  /** The pattern each LED shows now. */
  ledPatterns(): Record<string, LedPattern>;
}

export async function openGpiodBoard(o: GpiodBoardOptions): Promise<GpiodBoard> {
  const nameOf = new Map<number, { kind: 'button' | 'switch'; name: string }>();
  for (const [name, line] of Object.entries(o.buttons)) nameOf.set(line, { kind: 'button', name });
  for (const [name, line] of Object.entries(o.switches)) nameOf.set(line, { kind: 'switch', name });
  const levels = await readInputs(o, [...nameOf.keys()]);
  const switches = new Map(Object.entries(o.switches).map(([name, line]) => [name, levels.get(line) ?? false]));
  const buttons = new Map(Object.entries(o.buttons).map(([name, line]) => [name, levels.get(line) ?? false]));
  const pressListeners = new Map<string, Set<() => void>>();
  const switchListeners = new Map<string, Set<(on: boolean) => void>>();
  const subscribe = <T>(map: Map<string, Set<T>>, name: string, l: T) => {
    let set = map.get(name);
    if (!set) map.set(name, (set = new Set()));
    set.add(l);
    return () => void set.delete(l);
  };

  const watch =
    nameOf.size === 0
      ? { stop() {} }
      : watchInputs(
          o,
          levels,
          (line, active) => {
            const what = nameOf.get(line)!;
            if (what.kind === 'button') {
              buttons.set(what.name, active);
              if (active) for (const l of pressListeners.get(what.name) ?? []) l();
              return;
            }
            switches.set(what.name, active);
            o.log.info(`switch ${what.name} ${active ? 'on' : 'off'}`);
            for (const l of switchListeners.get(what.name) ?? []) l(active);
          },
          (why) => o.log.error(`gpio inputs no longer watched: ${why}`),
        );

  const outputs = new Map(Object.entries(o.leds).map(([name, line]) => [name, new OutputLine(o, line)]));
  const patterns = new Map<string, LedPattern>([...outputs.keys()].map((n) => [n, 'off']));
  const blinkers = new Map<string, NodeJS.Timeout>();
  const show = (name: string, pattern: LedPattern) => {
    const out = outputs.get(name);
    if (!out || patterns.get(name) === pattern) return;
    patterns.set(name, pattern);
    clearInterval(blinkers.get(name));
    blinkers.delete(name);
    const half = BLINK_MS[pattern];
    void out.set(pattern !== 'off');
    if (half) blinkers.set(name, setInterval(() => void out.set(!out.level), half));
  };
  for (const out of outputs.values()) await out.set(false);
  o.log.info(`gpio on ${o.chip}: buttons ${JSON.stringify(o.buttons)}, switches ${JSON.stringify(o.switches)}, leds ${JSON.stringify(o.leds)}`);

  return {
    kind: 'real',
    onPress: (button, listener) => subscribe(pressListeners, button, listener),
    onSwitch: (name, listener) => subscribe(switchListeners, name, listener),
    readSwitch: (name) => switches.get(name) ?? null,
    readButton: (name) => buttons.get(name) ?? null,
    setLed: (led, pattern) => show(led, pattern),
    ledPatterns: () => Object.fromEntries(patterns),
    async close() {
      watch.stop();
      for (const t of blinkers.values()) clearInterval(t);
      await Promise.all([...outputs.values()].map((out) => out.close()));
    },
  };
}
