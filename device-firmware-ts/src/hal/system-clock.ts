/**
 * The board's wall clock (RTC, NTP): what the runtime's licensing reads as "the system clock".
 * A real board's is Date.now(); the sim's can be set back or forward by a test (sim-clock.ts), so
 * clock tampering can be tried on a running sim unit without touching the machine's clock.
 */
export interface SystemClock {
  nowMs(): number;
}

export const realSystemClock: SystemClock = { nowMs: () => Date.now() };
