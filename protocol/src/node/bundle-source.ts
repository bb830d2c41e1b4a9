import { BundleError } from '../update/bundle-error.js';

export interface BundleSourceLimits {
  /** Wall-clock time (ms since the epoch) by which the whole bundle must have arrived. */
  deadlineAt: number;
  /** The longest the sender may send nothing. */
  idleMs: number;
}

/**
 * Reads a bundle from a sender (a file stream, an HTTP request body) in exact amounts, refusing
 * a sender slower than the deadline or silent for longer than idleMs. Bytes are handed out once
 * and never re-read, so what is hashed is what was received.
 */
export class BundleSource {
  private readonly it: AsyncIterator<Uint8Array>;
  private rest: Buffer | null = null;
  private ended = false;
  /** Bytes handed out so far. */
  position = 0;

  constructor(
    source: AsyncIterable<Uint8Array>,
    private readonly limits: BundleSourceLimits,
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async pull(): Promise<Buffer | null> {
    if (this.rest) {
      const r = this.rest;
      this.rest = null;
      return r;
    }
    if (this.ended) return null;
    const left = this.limits.deadlineAt - Date.now();
    if (left <= 0) throw this.late();
    const wait = Math.min(left, this.limits.idleMs);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(wait === left ? this.late() : new BundleError('deadline', `the sender sent nothing for ${this.limits.idleMs} ms (at byte ${this.position})`)), wait);
    });
    try {
      const next = await Promise.race([this.it.next(), timeout]);
      if (next.done) {
        this.ended = true;
        return null;
      }
      return Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    } finally {
      clearTimeout(timer);
    }
  }

  private late(): BundleError {
    return new BundleError('deadline', `the bundle did not arrive before its deadline (stopped at byte ${this.position})`);
  }

  /** Exactly n bytes, or a 'truncated' refusal naming `what`. */
  async readExactly(n: number, what: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this.take(n, what)) parts.push(chunk);
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /** The next n bytes as the chunks they arrive in (no copy). */
  async *take(n: number, what: string): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      const chunk = await this.pull();
      if (!chunk) throw new BundleError('truncated', `the bundle ends inside the ${what} (at byte ${this.position})`);
      if (chunk.length === 0) continue;
      const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
      if (chunk.length > left) this.rest = chunk.subarray(left);
      left -= part.length;
      this.position += part.length;
      yield part;
    }
  }

  /** Refuses anything after the payload: the header's lengths must describe the whole file. */
  async expectEnd(): Promise<void> {
    for (;;) {
      const chunk = await this.pull();
      if (!chunk) return;
      if (chunk.length > 0) throw new BundleError('bad-header', `the bundle has bytes after its payload (at byte ${this.position})`);
    }
  }

  /**
   * Stops the sender (destroys a stream); safe to call twice. Not awaited: a stalled sender
   * (a generator stuck in its own await) must not hold up the refusal.
   */
  close(): void {
    this.ended = true;
    this.rest = null;
    void this.it.return?.()?.catch(() => undefined);
  }
}
