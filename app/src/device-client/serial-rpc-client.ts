import { SerialPort } from 'serialport';
import {
  FrameDecoder,
  FrameType,
  decodeRpcPayload,
  deviceInfo,
  encodeRpcFrame,
  helloResult,
  rpcResponse,
  type DeviceInfo,
  type HelloResult,
} from '@pitwall/protocol';

export class SerialRpcError extends Error {
  constructor(
    readonly kind: 'timeout' | 'closed' | 'remote' | 'invalid' | 'open',
    message: string,
    /** A remote error's code (the HTTP API's word for it, e.g. `bad-signature`), when the unit gave one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SerialRpcError';
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export const DEFAULT_SERIAL_TIMEOUT_MS = 1500;

/**
 * JSON-RPC 2.0 over the framed serial protocol of `protocol/`. Frames that fail their CRC,
 * garbage between frames and responses that match no pending call are dropped.
 */
export class SerialRpcClient {
  private readonly decoder = new FrameDecoder();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closedReason: string | null = null;
  private readonly closeListeners = new Set<(reason: string) => void>();

  private constructor(
    readonly path: string,
    private readonly port: SerialPort,
  ) {
    port.on('data', (chunk: Buffer) => this.onData(chunk));
    port.on('close', () => this.shutdown('port closed'));
    port.on('error', (err: Error) => this.shutdown(`port error: ${err.message}`));
  }

  /** Opens `path` (a CDC-ACM port or a pty). Throws SerialRpcError('open') when it cannot. */
  static async open(path: string, baudRate = 115200): Promise<SerialRpcClient> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) => (err ? reject(new SerialRpcError('open', `cannot open ${path}: ${err.message}`)) : resolve())),
    );
    return new SerialRpcClient(path, port);
  }

  get isOpen(): boolean {
    return this.closedReason === null;
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  call(method: string, params?: unknown, timeoutMs = DEFAULT_SERIAL_TIMEOUT_MS): Promise<unknown> {
    if (this.closedReason !== null) return Promise.reject(new SerialRpcError('closed', `${this.path}: ${this.closedReason}`));
    const id = this.nextId++;
    const request = params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SerialRpcError('timeout', `${this.path}: no answer to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.port.write(Buffer.from(encodeRpcFrame(request)), (err) => {
        if (err) this.settle(id, new SerialRpcError('closed', `${this.path}: write failed: ${err.message}`));
      });
    });
  }

  async hello(timeoutMs?: number): Promise<HelloResult> {
    const result = await this.call('hello', undefined, timeoutMs);
    if (!helloResult.is(result)) throw new SerialRpcError('invalid', `${this.path}: hello answer is not a Pitwall hello`);
    return result;
  }

  async info(timeoutMs?: number): Promise<DeviceInfo> {
    const result = await this.call('info', undefined, timeoutMs);
    if (!deviceInfo.is(result)) throw new SerialRpcError('invalid', `${this.path}: info answer does not match DeviceInfo`);
    return result;
  }

  async close(): Promise<void> {
    this.shutdown('closed by the companion');
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }

  private onData(chunk: Buffer): void {
    for (const frame of this.decoder.push(chunk)) {
      if (frame.type !== FrameType.rpc) continue;
      const message = decodeRpcPayload(frame);
      if (!rpcResponse.is(message) || typeof message.id !== 'number') continue;
      if ('error' in message) {
        const data = message.error.data as { code?: unknown } | undefined;
        const code = typeof data?.code === 'string' ? data.code.slice(0, 64) : undefined;
        this.settle(message.id, new SerialRpcError('remote', `${this.path}: ${message.error.message} (${message.error.code})`, code));
      } else {
        this.settle(message.id, null, message.result);
      }
    }
  }

  private settle(id: number, err: Error | null, value?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(value);
  }

  private shutdown(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    for (const id of [...this.pending.keys()]) this.settle(id, new SerialRpcError('closed', `${this.path}: ${reason}`));
    for (const l of this.closeListeners) l(reason);
  }
}
