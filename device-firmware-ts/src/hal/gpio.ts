/** Buttons and LEDs on the unit. Names are logical (`pair`), the HAL maps them to lines. */
export type ButtonName = 'pair';
export type LedName = 'pair';
/**
 * What an LED shows. The pair LED: `slow-blink` while the pairing window is open, `fast-blink`
 * while a pairing waits for an owner's approval (someone asked to be an owner), `off` otherwise.
 */
export type LedPattern = 'off' | 'on' | 'slow-blink' | 'fast-blink';
/** Latching switches. `hotspot`: closed = the Wi-Fi runs the unit's own hotspot, open = client. */
export type SwitchName = 'hotspot';

export interface Gpio {
  readonly kind: 'real' | 'sim';
  /** Calls `listener` on each press of `button`; returns the unsubscribe function. */
  onPress(button: ButtonName, listener: () => void): () => void;
  setLed(led: LedName, pattern: LedPattern): void;
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
    setLed: () => {},
    readSwitch: () => null,
    close: async () => {},
  };
}
