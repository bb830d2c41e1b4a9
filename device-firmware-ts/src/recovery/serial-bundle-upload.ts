import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BundleError } from '@pitwall/protocol';
import type { BundleOutcome, BundleReceiver, BundleSender } from '../update/bundle-receiver.js';

/** What the verifier may hold unread before a chunk's answer waits (a few chunks). */
const BUFFER_B = 64 * 1024;

/**
 * One bundle arriving over serial in chunks: the chunks become the byte stream the bundle
 * receiver verifies, exactly as an HTTPS body does. Flow control: a chunk is answered only once
 * the stream has room again (the verifier has taken the bytes before it), so a sender keeping a
 * few chunks unanswered can never run ahead of the verifier, and the unit holds at most a
 * buffer's worth. Chunks must come in order, inside the announced size; anything else ends the
 * upload (the verifier sees a broken stream and refuses the bundle).
 */
export class SerialBundleUpload {
  readonly id = randomBytes(16).toString('hex');
  private bytesIn = 0;
  private wake: (() => void) | null = null;
  private readonly stream: Readable;
  private settled: BundleOutcome | null = null;
  /** Resolves once the bundle is installed or refused. */
  readonly outcome: Promise<BundleOutcome>;

  constructor(
    readonly size: number,
    receiver: BundleReceiver,
    who: BundleSender,
  ) {
    this.stream = new Readable({ highWaterMark: BUFFER_B, read: () => this.release() });
    this.outcome = receiver.receive(this.stream, who).then((o) => {
      this.settled = o;
      this.release();
      return o;
    });
  }

  /** Bytes taken so far. */
  get received(): number {
    return this.bytesIn;
  }

  /** The outcome if the bundle is already installed or refused (a refusal ends the upload early). */
  get done(): BundleOutcome | null {
    return this.settled;
  }

  /** Takes the next chunk; resolves with the bytes received once the stream has room again. */
  async chunk(offset: number, bytes: Buffer): Promise<number> {
    if (this.settled) return this.bytesIn;
    if (offset !== this.bytesIn) return this.abort(`chunk at offset ${offset}, the next byte expected is ${this.bytesIn}`);
    if (this.bytesIn + bytes.length > this.size) return this.abort(`chunk past the announced size of ${this.size} bytes`);
    this.bytesIn += bytes.length;
    const room = this.stream.push(bytes);
    if (this.bytesIn === this.size) this.stream.push(null);
    else if (!room) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.bytesIn;
  }

  /** Ends the upload: the verifier sees a broken stream, refuses the bundle, and nothing is installed. */
  abort(why: string): number {
    if (!this.settled && !this.stream.destroyed) this.stream.destroy(new BundleError('truncated', `the upload over USB was ended: ${why}`));
    this.release();
    return this.bytesIn;
  }

  private release(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
