import { RpcErrorCode, decodeRpcPayload, rpcRequest, type Frame, type RpcResponse } from '@pitwall/protocol';
import { RpcMethodError, type RpcContext, type RpcMethod } from './rpc-methods/index.js';

type Id = string | number | null;

const errorResponse = (id: Id, code: number, message: string, data?: unknown): RpcResponse => ({
  jsonrpc: '2.0',
  id,
  error: data === undefined ? { code, message } : { code, message, data },
});

/** Best effort: the id of a request that failed validation, so the error can be matched. */
function salvageId(msg: unknown): Id {
  if (typeof msg !== 'object' || msg === null) return null;
  const id = (msg as { id?: unknown }).id;
  return (typeof id === 'string' && id.length <= 64) || (typeof id === 'number' && Number.isInteger(id)) ? id : null;
}

/** One rpc frame in, one JSON-RPC response out. Never throws. */
export async function dispatchRpcFrame(frame: Frame, methods: ReadonlyMap<string, RpcMethod>, ctx: RpcContext): Promise<RpcResponse> {
  const msg = decodeRpcPayload(frame);
  if (msg instanceof Error) return errorResponse(null, RpcErrorCode.parseError, `parse error: ${msg.message}`);
  if (Array.isArray(msg)) return errorResponse(null, RpcErrorCode.invalidRequest, 'invalid request: batches are not supported');
  if (!rpcRequest.is(msg)) {
    let detail = 'not a JSON-RPC 2.0 request';
    try {
      rpcRequest.parse(msg);
    } catch (err) {
      detail = (err as Error).message;
    }
    return errorResponse(salvageId(msg), RpcErrorCode.invalidRequest, `invalid request: ${detail}`);
  }
  const method = methods.get(msg.method);
  if (!method) {
    return errorResponse(msg.id, RpcErrorCode.methodNotFound, `method not found: ${msg.method} (available: ${[...methods.keys()].join(', ')})`);
  }
  try {
    const result = await method(msg.params, ctx);
    return { jsonrpc: '2.0', id: msg.id, result: result ?? null };
  } catch (err) {
    if (err instanceof RpcMethodError) return errorResponse(msg.id, err.code, err.message, err.data);
    return errorResponse(msg.id, RpcErrorCode.internalError, `internal error in ${msg.method}`);
  }
}
