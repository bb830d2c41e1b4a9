import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { NmeaDecoder, type GnssFix } from './nmea-decoder.js';
import { GnssState } from './gnss-state.js';
import type { Logger } from '../ops/logger.js';

export interface GnssReaderOptions {
  path: string;
  baudRate: number;
  log: Logger;
  /** Delay before reopening after the port closed or failed. */
  reopenDelayMs?: number;
}

export interface GnssReaderEvents {
  fix: [GnssFix];
}

/** Reads NMEA from a serial port, decodes it, keeps the status and emits `fix` per epoch. */
export class GnssReader extends EventEmitter<GnssReaderEvents> {
  readonly decoder = new NmeaDecoder();
  readonly state = new GnssState(() => this.decoder.counters);
  private port: SerialPort | null = null;
  private closing = false;
  private reopenTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: GnssReaderOptions) {
    super();
    this.setMaxListeners(0); // one listener per live SSE client
  }

  async open(): Promise<void> {
    const port = new SerialPort({ path: this.opts.path, baudRate: this.opts.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.port = port;
    this.state.portOpened();
    // The decoder cuts lines itself (LineSplitter): a receiver that never sends a newline
    // cannot grow a line buffer without bound.
    port.on('data', (chunk: Buffer) => this.onChunk(chunk.toString('latin1')));
    port.on('error', (err) => this.opts.log.warn(`gnss port ${this.opts.path}: ${err.message}`));
    port.on('close', () => this.scheduleReopen());
    this.opts.log.info(`gnss reader on ${this.opts.path} at ${this.opts.baudRate} baud`);
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private onChunk(chunk: string): void {
    for (const fix of this.decoder.pushChunk(chunk)) {
      this.state.update(fix);
      this.emit('fix', fix);
    }
  }

  private scheduleReopen(): void {
    if (this.closing) return;
    this.opts.log.warn(`gnss port ${this.opts.path} closed; reopening`);
    this.reopenTimer = setTimeout(() => {
      this.open().catch((err: Error) => {
        this.opts.log.warn(`gnss reopen failed: ${err.message}`);
        this.scheduleReopen();
      });
    }, this.opts.reopenDelayMs ?? 1000);
  }
}
