/**
 * Buttons and LEDs on the unit. Names are logical (`pair`), the HAL maps them to lines.
 * `recovery`: held while the unit powers on, the launcher starts recovery mode.
 */
export type ButtonName = 'pair' | 'recovery';
export type LedName = 'pair' | 'support';
/**
 * Two-position (latching) switches, read as on (closed) or off. `support`: support mode's
 * physical toggle. `hotspot`: closed = the Wi-Fi runs the unit's own hotspot, open = client.
 */
export type SwitchName = 'support' | 'hotspot';
/**
 * What an LED shows. The pair LED: `slow-blink` while the pairing window is open, `fast-blink`
 * while a pairing waits for an owner's approval (someone asked to be an owner), `off` otherwise.
 * The support LED: `slow-blink` while support mode is on and its tunnel is not up yet, `on` while
 * the tunnel is up, `off` otherwise. `double-blink` on the pair LED: the unit is in recovery mode.
 */
export type LedPattern = 'off' | 'on' | 'slow-blink' | 'fast-blink' | 'double-blink';

export interface Gpio {
  readonly kind: 'real' | 'sim';
  /** Calls `listener` on each press of `button`; returns the unsubscribe function. */
  onPress(button: ButtonName, listener: () => void): () => void;
  /** Whether `button` is held down now (read once at power-on for `recovery`), or null when the board cannot tell. */
  readButton(button: ButtonName): boolean | null;
  setLed(led: LedName, pattern: LedPattern): void;
  /** Calls `listener` each time `name` is flipped (true: flipped on); returns the unsubscribe function. */
  onSwitch(name: SwitchName, listener: (on: boolean) => void): () => void;
  /** A latching switch's position now (true = closed), or null when the board has none. */
  readSwitch(name: SwitchName): boolean | null;
  close(): Promise<void>;
}

/**
 * Real boards: the pair button and LED sit on GPIO lines read through the kernel's GPIO
 * character device. Not wired yet on the reference board: presses never arrive, LED writes
 * are dropped, and network pairing stays closed (USB pairing still works).
 */
export function realGpio(): Gpio {
  return {
    kind: 'real',
    onPress: () => () => {},
    readButton: () => null,
    setLed: () => {},
    onSwitch: () => () => {},
    readSwitch: () => null,
    close: async () => {},
  };
}
