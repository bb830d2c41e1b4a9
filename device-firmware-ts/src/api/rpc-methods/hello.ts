import { SERIAL_PROTOCOL_VERSION, type HelloResult } from '@pitwall/protocol';
import type { RpcMethod } from './method-table.js';

/** How the companion recognises a unit on a serial port. */
export const hello: RpcMethod = (_params, ctx): HelloResult => ({
  protocol: SERIAL_PROTOCOL_VERSION,
  product: 'pitwall',
  id: ctx.info.id,
  name: ctx.info.name,
});
