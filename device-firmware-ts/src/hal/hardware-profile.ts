import type { Logger } from '../ops/logger.js';
import type { Disk } from './disk.js';
import type { GnssSource } from './gnss-source.js';
import type { Gpio } from './gpio.js';
import type { HardwareSerial } from './hardware-serial.js';
import type { ImuFeed } from './imu/imu-feed.js';
import type { SystemClock } from './system-clock.js';
import type { Thermal } from './thermal.js';
import type { UsbGadget } from './usb-gadget.js';

/** Hooks a profile may offer on its buttons (the sim's test socket); a real board ignores them. */
export interface GpioHooks {
  /** Fault injection (crash, hang, out-of-memory); returns the answer line. */
  inject(what: 'crash' | 'hang' | 'oom'): string;
  /** The data partition's free space was overridden: check it again now. */
  onDiskChange(): void;
}

/**
 * Everything the runtime needs from the board, in one place: the sim profile (pseudo-terminals,
 * a replayed receiver, the IMU register model) or the real one (UART, USB gadget, sysfs). Above
 * hal/ nothing knows which one it got.
 */
export interface HardwareProfile {
  readonly kind: 'sim' | 'real';
  readonly model: string;
  /** Rejects with HardwareMissingError naming every device that is absent. */
  probe(): Promise<void>;
  boardSerial(): Promise<HardwareSerial>;
  openGpio(log: Logger, hooks: GpioHooks): Promise<Gpio>;
  openGnss(log: Logger): GnssSource;
  readonly usbGadget: UsbGadget;
  readonly disk: Disk;
  thermal(): Promise<Thermal>;
  /** The IMU at `rateHz`, or null when the board has none (or no driver for it yet). */
  imu(rateHz: number): ImuFeed | null;
  /** The wall clock (the licence's trusted clock checks it against what it has seen). */
  readonly clock: SystemClock;
  /** The receiver's output of drives before this boot, oldest first (the sim's earlier track days; a real board has none). */
  earlierDrives(): Promise<string[][]>;
}

export class HardwareMissingError extends Error {
  constructor(readonly missing: string[]) {
    super(`hardware missing: ${missing.join('; ')}. Is this a Pitwall unit? \`pitwall-device sim\` runs without hardware`);
    this.name = 'HardwareMissingError';
  }
}
