import { deviceInfo, deviceStatus, type DeviceInfo, type DeviceStatus, type Validator } from '@pitwall/protocol';
import type { TSchema, Static } from '@sinclair/typebox';

/** Why a request to a unit failed: nothing answered, or something answered that is not a Pitwall unit. */
export type UnitRequestFailure = 'unreachable' | 'not-a-unit';

export class UnitRequestError extends Error {
  constructor(
    readonly kind: UnitRequestFailure,
    message: string,
  ) {
    super(message);
    this.name = 'UnitRequestError';
  }
}

export const DEFAULT_HTTP_TIMEOUT_MS = 3000;
const MAX_BODY_BYTES = 256 * 1024;

/** `http://<target>` for a link target (`host:port`, `[v6]:port`). */
export function baseUrl(target: string): string {
  return `http://${target}`;
}

/** GET a JSON document from a unit and validate it; throws UnitRequestError, never anything else. */
export async function getJson<T extends TSchema>(
  target: string,
  path: string,
  check: Validator<T>,
  timeoutMs = DEFAULT_HTTP_TIMEOUT_MS,
): Promise<Static<T>> {
  const url = `${baseUrl(target)}${path}`;
  let res: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' }, redirect: 'error' });
  } catch (err) {
    throw new UnitRequestError('unreachable', `nothing answered at ${target} (${describeFetchError(err, timeoutMs)})`);
  }
  let text: string;
  try {
    text = await readCapped(res, MAX_BODY_BYTES);
  } catch (err) {
    throw new UnitRequestError('unreachable', `the connection to ${target} broke while reading (${describeFetchError(err, timeoutMs)})`);
  }
  if (!res.ok) {
    throw new UnitRequestError('not-a-unit', `${target} answered ${path} with HTTP ${res.status}: it does not look like a Pitwall unit`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UnitRequestError('not-a-unit', `${target} answered ${path} with something that is not JSON: it is not a Pitwall unit`);
  }
  if (!check.is(body)) {
    let detail = '';
    try {
      check.parse(body);
    } catch (err) {
      detail = ` (${(err as Error).message})`;
    }
    throw new UnitRequestError('not-a-unit', `${target} answered ${path} but not as a Pitwall unit would${detail}`);
  }
  return body;
}

export function getInfo(target: string, timeoutMs?: number): Promise<DeviceInfo> {
  return getJson(target, '/v1/info', deviceInfo, timeoutMs);
}

export function getStatus(target: string, timeoutMs?: number): Promise<DeviceStatus> {
  return getJson(target, '/v1/status', deviceStatus, timeoutMs);
}

async function readCapped(res: Response, cap: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > cap) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`response larger than ${cap} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = e?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  return e?.cause?.message ?? e?.message ?? String(err);
}
