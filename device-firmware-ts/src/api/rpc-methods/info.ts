import type { DeviceInfo } from '@pitwall/protocol';
import type { RpcMethod } from './method-table.js';

/** The same DeviceInfo as GET /v1/info. */
export const info: RpcMethod = (_params, ctx): DeviceInfo => ctx.info;
