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

const MAX_UNANSWERED = 8;

/** Serves framed JSON-RPC on the USB gadget port. Garbage is skipped by the frame decoder. */
export async function startSerialEndpoint(opts: SerialEndpointOptions): Promise<SerialEndpoint> {
  const methods = opts.methods ?? RPC_METHODS;
  const decoder = new FrameDecoder();
  let requests = 0;
  const port = new SerialPort({ path: opts.path, baudRate: opts.baudRate ?? 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  // Requests are answered in arrival order, so a slow method cannot reorder responses.
  let queue: Promise<void> = Promise.resolve();
  // Flow control: with this many requests unanswered the port is not read; the peer's writes
  // then wait in the tty's buffer, so a flood (or a sender outrunning a slow method) holds no more memory here.
  let unanswered = 0;
  port.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      if (frame.type !== FrameType.rpc) continue;
      requests++;
      if (++unanswered >= MAX_UNANSWERED) port.pause();
      queue = queue.then(async () => {
        try {
          const response = await dispatchRpcFrame(frame, methods, opts.ctx);
          if (port.isOpen) port.write(encodeRpcFrame(response));
        } catch (err) {
          // An answer that cannot be sent (over the frame limit) must not stop every later one.
          opts.log.error(`serial endpoint ${opts.path}: no answer sent: ${(err as Error).message}`);
        }
        if (--unanswered < MAX_UNANSWERED && port.isPaused()) port.resume();
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
