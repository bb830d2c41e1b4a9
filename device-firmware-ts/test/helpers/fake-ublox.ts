/**
 * A GNSS receiver on a socat pty pair for the set-up and reader tests. It sends GGA+RMC each
 * epoch at its own baud rate; when the host's end of the pty is set to another speed (read
 * from its termios with `stty`), it sends line noise instead, as a UART at the wrong speed
 * does. As a u-blox it answers UBX CFG messages with ACK or NAK and applies them; as an
 * NMEA-only receiver it ignores them.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { SerialPort } from 'serialport';
import { openPtyPair, type PtyPair } from '../../src/hal/pty-pair.js';
import { encodeUbx, UbxParser, type UbxFrame } from '../../src/hal/gnss/ubx-frame.js';
import { prng } from './prng.js';

const run = promisify(execFile);

/** `m8`: the old CFG messages; `m10`: CFG-VALSET only (old ones NAKed); `nmea-only`: no UBX at all. */
export type FakeReceiverKind = 'm8' | 'm10' | 'nmea-only';

export interface FakeReceiverOptions {
  kind: FakeReceiverKind;
  baud: number;
  rateHz?: number;
  /** Starting position; each epoch moves it north at `speedMps`. */
  lat?: number;
  lon?: number;
  speedMps?: number;
}

function nmea(body: string): string {
  let x = 0;
  for (const c of body) x ^= c.charCodeAt(0);
  return `$${body}*${x.toString(16).toUpperCase().padStart(2, '0')}\r\n`;
}

const dm = (deg: number, width: number) => {
  const a = Math.abs(deg);
  const d = Math.floor(a);
  return `${String(d).padStart(width, '0')}${((a - d) * 60).toFixed(5).padStart(8, '0')}`;
};

export class FakeUblox {
  readonly received: UbxFrame[] = [];
  baud: number;
  rateHz: number;
  hostBaud = 0;
  epochs = 0;
  private lat: number;
  private readonly lon: number;
  private readonly rand = prng(7);
  private readonly parser = new UbxParser();
  private timer: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;

  private constructor(
    readonly opts: FakeReceiverOptions,
    private readonly pair: PtyPair,
    private readonly port: SerialPort,
  ) {
    this.baud = opts.baud;
    this.rateHz = opts.rateHz ?? 1;
    this.lat = opts.lat ?? 28.4;
    this.lon = opts.lon ?? -81.4;
    port.on('data', (d: Buffer) => this.onData(d));
    port.on('error', () => {});
  }

  /** The host opens `hostPath`. */
  static async start(hostPath: string, receiverPath: string, opts: FakeReceiverOptions): Promise<FakeUblox> {
    const pair = await openPtyPair(receiverPath, hostPath);
    const port = new SerialPort({ path: receiverPath, baudRate: opts.baud, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    const r = new FakeUblox(opts, pair, port);
    await r.readHostBaud();
    r.poll = setInterval(() => void r.readHostBaud(), 50);
    r.schedule();
    return r;
  }

  get hostPath(): string {
    return this.pair.b;
  }

  private async readHostBaud(): Promise<void> {
    try {
      this.hostBaud = Number((await run('stty', ['-F', this.pair.b, 'speed'])).stdout.trim());
    } catch {
      /* the host has the port mid-close; keep the last speed */
    }
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.epoch(), 1000 / this.rateHz);
  }

  private send(bytes: Buffer): void {
    // The speed at this moment: a polled one lags a host that just reopened at another speed.
    try {
      this.hostBaud = Number(execFileSync('stty', ['-F', this.pair.b, 'speed'], { encoding: 'utf8' }).trim());
    } catch {
      /* keep the last one */
    }
    if (this.hostBaud === this.baud) this.port.write(bytes);
    else this.port.write(Buffer.from(Array.from(bytes, () => Math.floor(this.rand() * 256))));
  }

  private epoch(): void {
    this.epochs++;
    this.lat += ((this.opts.speedMps ?? 20) / this.rateHz) / 111_320;
    const t = new Date();
    const hms = `${t.toISOString().slice(11, 19).replace(/:/g, '')}.${String(t.getUTCMilliseconds()).padStart(3, '0').slice(0, 2)}`;
    const date = `${t.toISOString().slice(8, 10)}${t.toISOString().slice(5, 7)}${t.toISOString().slice(2, 4)}`;
    const lat = `${dm(this.lat, 2)},${this.lat >= 0 ? 'N' : 'S'}`;
    const lon = `${dm(this.lon, 3)},${this.lon >= 0 ? 'E' : 'W'}`;
    const knots = (((this.opts.speedMps ?? 20) * 3600) / 1852).toFixed(2);
    this.send(Buffer.from(nmea(`GNGGA,${hms},${lat},${lon},1,12,0.8,30.0,M,-30.0,M,,`) + nmea(`GNRMC,${hms},A,${lat},${lon},${knots},0.0,${date},,,A`), 'latin1'));
  }

  private ack(f: UbxFrame, ok: boolean): void {
    this.send(encodeUbx(0x05, ok ? 0x01 : 0x00, Uint8Array.of(f.cls, f.id)));
  }

  private onData(d: Buffer): void {
    // At the wrong speed the receiver would see noise, not frames.
    if (this.hostBaud !== this.baud) return;
    for (const f of this.parser.push(d)) {
      this.received.push(f);
      if (this.opts.kind === 'nmea-only' || f.cls !== 0x06) continue;
      const p = Buffer.from(f.payload);
      if (this.opts.kind === 'm8' && f.id === 0x08) {
        this.ack(f, true);
        this.rateHz = 1000 / p.readUInt16LE(0);
        this.schedule();
      } else if (this.opts.kind === 'm8' && f.id === 0x01) this.ack(f, true);
      else if (this.opts.kind === 'm8' && f.id === 0x00) {
        this.ack(f, true);
        this.baud = p.readUInt32LE(8);
      } else if (this.opts.kind === 'm10' && f.id === 0x8a) {
        this.ack(f, true);
        for (let i = 4; i + 4 <= p.length; ) {
          const key = p.readUInt32LE(i);
          const size = ({ 1: 1, 2: 1, 3: 2, 4: 4 } as Record<number, number>)[(key >>> 28) & 7] ?? 1;
          if (key === 0x30210001) {
            this.rateHz = 1000 / p.readUIntLE(i + 4, size);
            this.schedule();
          }
          i += 4 + size;
        }
      } else this.ack(f, false);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.poll) clearInterval(this.poll);
    await new Promise<void>((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
    await this.pair.close();
  }
}
