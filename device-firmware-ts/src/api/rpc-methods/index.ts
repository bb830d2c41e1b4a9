import { hello } from './hello.js';
import { info } from './info.js';
import { challenge, pair, revoke } from './pair.js';
import type { RpcMethod } from './method-table.js';
import { WIFI_METHODS } from './wifi.js';

export * from './method-table.js';

/** Serial JSON-RPC methods by name. */
export const RPC_METHODS: ReadonlyMap<string, RpcMethod> = new Map<string, RpcMethod>([
  ['hello', hello],
  ['info', info],
  ['pair', pair],
  ['challenge', challenge],
  ['revoke', revoke],
  ...WIFI_METHODS,
]);
