import http from 'node:http';
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
  const { status, text } = await httpGet(target, path, timeoutMs);
  if (status < 200 || status > 299) {
    throw new UnitRequestError('not-a-unit', `${target} answered ${path} with HTTP ${status}: it does not look like a Pitwall unit`);
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

/**
 * One GET with node:http (not fetch: fetch refuses the "bad ports" of the Fetch standard, and
 * a unit may listen on any port). The whole exchange is bounded by `timeoutMs` and the body size.
 */
function httpGet(target: string, path: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (kind: UnitRequestFailure, message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(new UnitRequestError(kind, message));
    };
    const req = http.get(`${baseUrl(target)}${path}`, { agent: false, headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) fail('not-a-unit', `${target} sent more than ${MAX_BODY_BYTES} bytes for ${path}: not a Pitwall unit`);
        else chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (err) => fail('unreachable', `the connection to ${target} broke while reading (${describe(err)})`));
      res.on('aborted', () => fail('unreachable', `the connection to ${target} broke while reading`));
    });
    req.on('error', (err) => fail('unreachable', `nothing answered at ${target} (${describe(err)})`));
    const timer = setTimeout(() => fail('unreachable', `nothing answered at ${target} (no answer within ${timeoutMs} ms)`), timeoutMs);
  });
}

export function getInfo(target: string, timeoutMs?: number): Promise<DeviceInfo> {
  return getJson(target, '/v1/info', deviceInfo, timeoutMs);
}

export function getStatus(target: string, timeoutMs?: number): Promise<DeviceStatus> {
  return getJson(target, '/v1/status', deviceStatus, timeoutMs);
}

function describe(err: unknown): string {
  const code = (err as { code?: string })?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  if (code === 'HPE_INVALID_CONSTANT' || code?.startsWith('HPE_')) return 'it does not speak HTTP';
  return (err as Error)?.message ?? String(err);
}
