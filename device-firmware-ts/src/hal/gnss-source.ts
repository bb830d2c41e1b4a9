import type { Logger } from '../ops/logger.js';
import { setUpReceiver, type UbloxSettings } from './gnss/receiver-setup.js';

/** Where the GNSS receiver's NMEA comes from: the serial path and baud rate the reader opens. */
export interface GnssSource {
  readonly kind: 'serial' | 'sim';
  /** Prepares the source; resolves with the serial port the reader should open. */
  start(): Promise<{ path: string; baudRate: number }>;
  stop(): Promise<void>;
}

export interface SerialGnssOptions {
  path: string;
  /** A fixed speed, or 'auto': the common speeds are tried until NMEA with good checksums arrives. */
  baud: number | 'auto';
  /** Rate, sentences and speed to set on a u-blox receiver; null leaves the receiver as it is. */
  ublox: UbloxSettings | null;
  log: Logger;
  listenMs?: number;
  ackTimeoutMs?: number;
}

/**
 * A real receiver on a UART, e.g. /dev/serial0: found at its speed, set up if it speaks UBX,
 * then handed to the reader. `serialGnssSource(path, baud)` opens it as it is.
 */
export function serialGnssSource(o: SerialGnssOptions): GnssSource;
export function serialGnssSource(path: string, baudRate: number): GnssSource;
export function serialGnssSource(a: SerialGnssOptions | string, baudRate?: number): GnssSource {
  if (typeof a === 'string') return { kind: 'serial', start: async () => ({ path: a, baudRate: baudRate! }), stop: async () => {} };
  return {
    kind: 'serial',
    async start() {
      const { baudRate } = await setUpReceiver(a);
      return { path: a.path, baudRate };
    },
    stop: async () => {},
  };
}
