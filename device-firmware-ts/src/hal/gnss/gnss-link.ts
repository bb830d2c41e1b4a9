import { SerialPort } from 'serialport';
import { UbxParser, type UbxFrame } from './ubx-frame.js';
import { CLS, ID } from './ubx-messages.js';

const LOCK_RETRIES = 10;
const LOCK_RETRY_MS = 100;

const MAX_LINE = 120;
const SETTLE_MS = 100;

/** True for `$...*HH` with the XOR checksum the NMEA 0183 standard defines. */
export function validNmea(line: string): boolean {
  const m = /^[$!]([\x20-\x7e]{1,82})\*([0-9A-Fa-f]{2})$/.exec(line);
  if (!m) return false;
  let x = 0;
  for (const c of m[1]!) x ^= c.charCodeAt(0);
  return x === parseInt(m[2]!, 16);
}

export type AckResult = 'ack' | 'nak' | 'timeout';

/**
 * A receiver's serial port opened for set-up: counts NMEA sentences whose checksum holds and
 * hands UBX acknowledgements to whoever waits for one. Closed again before the reader opens it.
 */
export class GnssLink {
  private readonly ubx = new UbxParser();
  private line = '';
  private validCount = 0;
  private frames: UbxFrame[] = [];
  private wake: (() => void) | null = null;

  private constructor(private readonly port: SerialPort) {
    port.on('data', (d: Buffer) => this.take(d));
    port.on('error', () => {});
  }

  static async open(path: string, baudRate: number): Promise<GnssLink> {
    // The port is flock()ed while open. Our own previous open (the last speed tried) can still
    // hold it for a moment after its close callback on a busy machine: a few short retries;
    // a lock that stays is another process's, and says so.
    for (let attempt = 0; ; attempt++) {
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      try {
        await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
        return new GnssLink(port);
      } catch (err) {
        if (!/Cannot lock port/.test((err as Error).message)) throw err;
        if (attempt >= LOCK_RETRIES) throw new Error(`the GNSS port ${path} is held by another process (it stays locked)`);
        await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
      }
    }
  }

  private take(d: Buffer): void {
    this.frames.push(...this.ubx.push(d));
    for (const c of d.toString('latin1')) {
      if (c === '\n' || c === '\r') {
        if (validNmea(this.line)) this.validCount++;
        this.line = '';
      } else if (this.line.length < MAX_LINE) this.line += c;
    }
    this.wake?.();
  }

  private async until<T>(check: () => T | null, timeoutMs: number): Promise<T | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== null) return v;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Resolves true once `count` sentences with a good checksum arrived since the last call. */
  async nmeaArrives(count: number, timeoutMs: number): Promise<boolean> {
    // What the port buffered before this speed was set is not evidence for it.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    this.validCount = 0;
    return (await this.until(() => (this.validCount >= count ? true : null), timeoutMs)) ?? false;
  }

  /** Sends a CFG message and waits for the ACK-ACK or ACK-NAK naming it. */
  async send(frame: Buffer, timeoutMs: number): Promise<AckResult> {
    this.frames = [];
    await new Promise<void>((resolve, reject) => this.port.write(frame, (err) => (err ? reject(err) : this.port.drain(() => resolve()))));
    const cls = frame[2];
    const id = frame[3];
    const answer = await this.until(() => {
      const f = this.frames.find((x) => x.cls === CLS.ACK && x.payload[0] === cls && x.payload[1] === id);
      return f ? (f.id === ID.ACK_ACK ? 'ack' : 'nak') : null;
    }, timeoutMs);
    return answer ?? 'timeout';
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }
}
