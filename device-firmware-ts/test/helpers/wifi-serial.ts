import { createPrivateKey, sign } from 'node:crypto';
import { wifiSerialMessage } from '@pitwall/protocol';
import type { OperatorCreds } from './https-client.js';
import type { SerialRpcClient } from './serial-rpc-client.js';

let id = 1000;

/** One call, waiting up to `timeoutMs` (a connect runs several nmcli calls). */
async function callSlow(client: SerialRpcClient, method: string, params?: unknown, timeoutMs = 30_000) {
  const before = client.responses.length;
  await client.send({ jsonrpc: '2.0', id: id++, method, ...(params === undefined ? {} : { params }) });
  await client.waitFor(before + 1, timeoutMs);
  return client.responses[before]!;
}

/** A serial `wifi.*` call signed by `op` over a fresh nonce (or unsigned when `op` is null). */
export async function wifiCall(client: SerialRpcClient, unitId: string, method: string, params: Record<string, unknown>, op: OperatorCreds | null) {
  if (!op) return callSlow(client, method, params);
  const n = await callSlow(client, 'wifi.nonce');
  if (!('result' in n)) throw new Error(`wifi.nonce failed: ${JSON.stringify(n)}`);
  const nonce = (n.result as { nonce: string }).nonce;
  const signature = sign(null, Buffer.from(wifiSerialMessage(unitId, nonce, method)), createPrivateKey(op.keyPem)).toString('base64');
  return callSlow(client, method, { ...params, auth: { certificate: op.certPem, nonce, signature } });
}
