import type { DeviceInfo } from '@pitwall/protocol';

/** What a serial RPC method may use. Later methods (pair, ...) extend this. */
export interface RpcContext {
  info: DeviceInfo;
}

/** A method error with a JSON-RPC code (e.g. invalidParams) and a clear message. */
export class RpcMethodError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export type RpcMethod = (params: unknown, ctx: RpcContext) => unknown | Promise<unknown>;
