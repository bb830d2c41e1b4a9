import { createPrivateKey, sign } from 'node:crypto';
import { RECOVERY_CHUNK_B, serialCallMessage, type RpcResponse } from '@pitwall/protocol';
import type { OperatorCreds } from './https-client.js';
import type { SerialRpcClient } from './serial-rpc-client.js';

let nextId = 5000;

/** One call on the raw test client, waiting up to `timeoutMs`; its own response. */
export async function rawCall(client: SerialRpcClient, method: string, params?: unknown, timeoutMs = 30_000): Promise<RpcResponse> {
  const id = nextId++;
  const before = client.responses.length;
  await client.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mine = client.responses.slice(before).find((r) => r.id === id);
    if (mine) return mine;
    await client.waitFor(client.responses.length + 1, Math.max(1, deadline - Date.now()));
  }
}

/** A `recovery.*` call signed by `op` over a fresh nonce (as the companion signs it). */
export async function recoveryCall(client: SerialRpcClient, unitId: string, method: string, params: Record<string, unknown>, op: OperatorCreds, timeoutMs = 30_000): Promise<RpcResponse> {
  const n = await rawCall(client, 'recovery.nonce');
  if (!('result' in n)) throw new Error(`recovery.nonce failed: ${JSON.stringify(n)}`);
  return rawCall(client, method, { ...params, auth: recoveryAuth(unitId, (n.result as { nonce: string }).nonce, method, op) }, timeoutMs);
}

/** The `auth` of a recovery call: `op`'s signature over this unit, nonce and method. */
export function recoveryAuth(unitId: string, nonce: string, method: string, op: OperatorCreds) {
  const signature = sign(null, Buffer.from(serialCallMessage('recovery', unitId, nonce, method)), createPrivateKey(op.keyPem)).toString('base64');
  return { certificate: op.certPem, nonce, signature };
}

export const errorCode = (r: RpcResponse) => ('error' in r ? (r.error.data as { code?: string } | undefined)?.code : undefined);

export interface SerialInstallOptions {
  /** Chunks kept unanswered (the unit's window). */
  window?: number;
  /** Called before chunk `i` is sent (a hostile peer's injections). */
  before?: (i: number) => Promise<void>;
  /** Send only this many chunks, then stop (a sender that went away): no end. */
  stopAfter?: number;
}

/**
 * A bundle sent over serial as a companion does, through the raw test client: begin (signed),
 * chunks keeping `window` unanswered, end. Returns the begin answer, every chunk answer, and the
 * end answer (null when stopped early or a chunk was refused).
 */
export async function serialInstall(client: SerialRpcClient, unitId: string, bytes: Uint8Array, op: OperatorCreds, o: SerialInstallOptions = {}) {
  const begun = await recoveryCall(client, unitId, 'recovery.install.begin', { size: bytes.length }, op);
  if (!('result' in begun)) return { begun, chunks: [] as RpcResponse[], end: null };
  const upload = (begun.result as { upload: string }).upload;
  const ids: number[] = [];
  const start = client.responses.length;
  const window = o.window ?? 4;
  const count = Math.ceil(bytes.length / RECOVERY_CHUNK_B);
  const answered = () => client.responses.slice(start).filter((r) => typeof r.id === 'number' && ids.includes(r.id));
  for (let i = 0; i < count && i < (o.stopAfter ?? Infinity); i++) {
    await o.before?.(i);
    while (ids.length - answered().length >= window) await client.waitFor(client.responses.length + 1, 30_000);
    if (answered().some((r) => 'error' in r)) break;
    const id = nextId++;
    ids.push(id);
    const data = Buffer.from(bytes.subarray(i * RECOVERY_CHUNK_B, (i + 1) * RECOVERY_CHUNK_B)).toString('base64');
    await client.send({ jsonrpc: '2.0', id, method: 'recovery.install.chunk', params: { upload, offset: i * RECOVERY_CHUNK_B, data } });
  }
  while (answered().length < ids.length) await client.waitFor(client.responses.length + 1, 30_000);
  const chunks = answered();
  if (chunks.some((r) => 'error' in r) || o.stopAfter !== undefined) return { begun, chunks, end: null, upload };
  return { begun, chunks, end: await rawCall(client, 'recovery.install.end', { upload }, 120_000), upload };
}
