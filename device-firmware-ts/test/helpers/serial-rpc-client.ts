import { SerialPort } from 'serialport';
import { FrameDecoder, decodeRpcPayload, encodeRpcFrame, rpcResponse, type RpcResponse } from '@pitwall/protocol';

/** Companion-side test client: writes raw bytes or rpc frames, collects decoded responses. */
export class SerialRpcClient {
  readonly responses: RpcResponse[] = [];
  private readonly decoder = new FrameDecoder();
  private waiters: (() => void)[] = [];

  private constructor(private readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        const msg = decodeRpcPayload(frame);
        this.responses.push(rpcResponse.parse(msg));
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(path: string): Promise<SerialRpcClient> {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    return new SerialRpcClient(port);
  }

  /**
   * Writes in pieces under the pty's 4 KiB buffer, each drained before the next: one write of
   * 11-20 KB through the socat pty pair now and then never completed (the rest held back).
   */
  async writeRaw(bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length; at += 1024) {
      const piece = Buffer.from(bytes.subarray(at, at + 1024));
      await new Promise<void>((resolve, reject) => this.port.write(piece, (err) => (err ? reject(err) : this.port.drain(() => resolve()))));
    }
  }

  send(message: unknown): Promise<void> {
    return this.writeRaw(encodeRpcFrame(message));
  }

  /** Waits until `count` responses in total have arrived. */
  async waitFor(count: number, timeoutMs = 3000): Promise<RpcResponse[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.responses.length < count) {
      if (Date.now() > deadline) throw new Error(`got ${this.responses.length} of ${count} responses: ${JSON.stringify(this.responses)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.responses;
  }

  async call(id: number | string, method: string, params?: unknown): Promise<RpcResponse> {
    const before = this.responses.length;
    await this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    await this.waitFor(before + 1);
    return this.responses[before] as RpcResponse;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }
}
