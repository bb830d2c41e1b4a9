/** Where the GNSS receiver's NMEA comes from: the serial path and baud rate the reader opens. */
export interface GnssSource {
  readonly kind: 'serial' | 'sim';
  /** Prepares the source; resolves with the serial port the reader should open. */
  start(): Promise<{ path: string; baudRate: number }>;
  stop(): Promise<void>;
}

/** A real receiver on a UART, e.g. /dev/serial0 at 9600 or 115200 baud. */
export function serialGnssSource(path: string, baudRate: number): GnssSource {
  return {
    kind: 'serial',
    start: async () => ({ path, baudRate }),
    stop: async () => {},
  };
}
