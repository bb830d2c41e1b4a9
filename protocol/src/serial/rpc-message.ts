import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

/** JSON-RPC 2.0 carried in `FrameType.rpc` frames (UTF-8 JSON payload). */
const RpcId = Type.Union([Type.String({ maxLength: 64 }), Type.Integer()]);

export const RpcRequest = Type.Object(
  {
    jsonrpc: Type.Literal('2.0'),
    id: RpcId,
    method: Type.String({ minLength: 1, maxLength: 64 }),
    params: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
export type RpcRequest = Static<typeof RpcRequest>;
export const rpcRequest = validator('RpcRequest', RpcRequest);

export const RpcErrorObject = Type.Object(
  { code: Type.Integer(), message: Type.String(), data: Type.Optional(Type.Unknown()) },
  { additionalProperties: false },
);

export const RpcResponse = Type.Union([
  Type.Object({ jsonrpc: Type.Literal('2.0'), id: Type.Union([RpcId, Type.Null()]), result: Type.Unknown() }, { additionalProperties: false }),
  Type.Object({ jsonrpc: Type.Literal('2.0'), id: Type.Union([RpcId, Type.Null()]), error: RpcErrorObject }, { additionalProperties: false }),
]);
export type RpcResponse = Static<typeof RpcResponse>;
export const rpcResponse = validator('RpcResponse', RpcResponse);

/** Standard JSON-RPC 2.0 error codes. */
export const RpcErrorCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
} as const;
