import { RpcErrorCode, wifiSerialAddParams, wifiSerialPriorityParams, wifiSerialProfileParams, wifiSerialReadParams, type WifiSerialAuth } from '@pitwall/protocol';
import { asWifiError, type WifiActor } from '../../ops/network/wifi-service.js';
import { RpcAppError, RpcMethodError, type RpcContext, type RpcMethod } from './method-table.js';
import { wifiUsbGate, WifiUsbRefused } from './wifi-auth.js';

type Gate = ReturnType<typeof wifiUsbGate>;
const gates = new WeakMap<object, Gate>();

function parse<T>(v: { parse(x: unknown): T }, params: unknown, method: string): T {
  try {
    return v.parse(params ?? {});
  } catch (err) {
    // The schema's words only: a rejected value (a password) is never quoted back.
    throw new RpcMethodError(RpcErrorCode.invalidParams, `invalid params for ${method}: ${(err as Error).message.replace(/got .*$/s, '')}`.slice(0, 400));
  }
}

function wifiCall<P extends { auth?: WifiSerialAuth }>(method: string, v: { parse(x: unknown): P }, change: boolean, run: (p: P, who: WifiActor, ctx: RpcContext) => Promise<unknown>): RpcMethod {
  return async (params, ctx) => {
    const w = ctx.wifi;
    if (!w) throw new RpcMethodError(RpcAppError.refused, 'this unit does not manage Wi-Fi', { code: 'wifi-unavailable' });
    const p = parse(v, params, method);
    let gate = gates.get(w);
    if (!gate) gates.set(w, (gate = wifiUsbGate(w)));
    try {
      return await run(p, await gate.authorize(p.auth, method, change), ctx);
    } catch (err) {
      if (err instanceof WifiUsbRefused) throw new RpcMethodError(RpcAppError.refused, err.message, { code: 'wifi-refused' });
      const e = asWifiError(err);
      throw new RpcMethodError(e.status === 400 ? RpcErrorCode.invalidParams : RpcAppError.refused, e.message, { code: e.code });
    }
  };
}

/** Serial Wi-Fi methods (see protocol's wifi-rpc for the flow and who may call them). */
export const WIFI_METHODS: [string, RpcMethod][] = [
  [
    'wifi.nonce',
    (_params, ctx) => {
      if (!ctx.wifi) throw new RpcMethodError(RpcAppError.refused, 'this unit does not manage Wi-Fi', { code: 'wifi-unavailable' });
      let gate = gates.get(ctx.wifi);
      if (!gate) gates.set(ctx.wifi, (gate = wifiUsbGate(ctx.wifi)));
      return gate.nonce();
    },
  ],
  ['wifi.status', wifiCall('wifi.status', wifiSerialReadParams, false, (_p, _who, ctx) => ctx.wifi!.wifi.status())],
  ['wifi.scan', wifiCall('wifi.scan', wifiSerialReadParams, false, async (p, _who, ctx) => ({ networks: await ctx.wifi!.wifi.scan(p.rescan ?? true) }))],
  ['wifi.list', wifiCall('wifi.list', wifiSerialReadParams, false, async (_p, _who, ctx) => ({ profiles: await ctx.wifi!.wifi.list() }))],
  ['wifi.add', wifiCall('wifi.add', wifiSerialAddParams, true, (p, who, ctx) => ctx.wifi!.wifi.add(p.network, who))],
  ['wifi.remove', wifiCall('wifi.remove', wifiSerialProfileParams, true, async (p, who, ctx) => (await ctx.wifi!.wifi.remove(p.uuid, who), { removed: p.uuid }))],
  ['wifi.priority', wifiCall('wifi.priority', wifiSerialPriorityParams, true, async (p, who, ctx) => (await ctx.wifi!.wifi.priority(p.uuid, p.priority, who), { profiles: await ctx.wifi!.wifi.list() }))],
  ['wifi.connect', wifiCall('wifi.connect', wifiSerialProfileParams, true, (p, who, ctx) => ctx.wifi!.wifi.connect(p.uuid, who))],
];
