import { SerialPort } from 'serialport';
import { FrameDecoder, FrameType, encodeRpcFrame, type DecoderStats } from '@pitwall/protocol';
import { dispatchRpcFrame } from './rpc-dispatch.js';
import { RPC_METHODS, type RpcContext, type RpcMethod } from './rpc-methods/index.js';
import type { Logger } from '../ops/logger.js';

export interface SerialEndpointOptions {
  path: string;
  ctx: RpcContext;
  log: Logger;
  methods?: ReadonlyMap<string, RpcMethod>;
  baudRate?: number;
}

export interface SerialEndpoint {
  readonly stats: () => DecoderStats & { requests: number };
  close(): Promise<void>;
}

/** Serves framed JSON-RPC on the USB gadget port. Garbage is skipped by the frame decoder. */
export async function startSerialEndpoint(opts: SerialEndpointOptions): Promise<SerialEndpoint> {
  const methods = opts.methods ?? RPC_METHODS;
  const decoder = new FrameDecoder();
  let requests = 0;
  const port = new SerialPort({ path: opts.path, baudRate: opts.baudRate ?? 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  // Requests are answered in arrival order, so a slow method cannot reorder responses.
  let queue: Promise<void> = Promise.resolve();
  port.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      if (frame.type !== FrameType.rpc) continue;
      requests++;
      queue = queue.then(async () => {
        const response = await dispatchRpcFrame(frame, methods, opts.ctx);
        if (port.isOpen) port.write(encodeRpcFrame(response));
      });
    }
  });
  port.on('error', (err) => opts.log.warn(`serial endpoint ${opts.path}: ${err.message}`));
  opts.log.info(`serial endpoint on ${opts.path}`);
  return {
    stats: () => ({ ...decoder.stats, requests }),
    async close() {
      await queue;
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}
