import https from 'node:https';
import {
  answerCheckFor,
  apiError,
  routeName,
  routePath,
  Routes,
  type AnswerOf,
  type AnyRoute,
  type DeviceInfo,
  type DeviceStatus,
  type RouteArgs,
  type Validator,
} from '@pitwall/protocol';
import type { TSchema, Static } from '@sinclair/typebox';
import { presentedKeyOf, UnitAgent, type PresentedKey } from './unit-agent.js';

/**
 * Why a request to a unit failed: nothing answered; something answered that is not a Pitwall
 * unit; the unit refused (HTTP 4xx with its error code in `apiCode`); or the connection was
 * refused before any request because the unit's key is not the pinned one.
 */
export type UnitRequestFailure = 'unreachable' | 'not-a-unit' | 'refused' | 'key-changed';

export class UnitRequestError extends Error {
  constructor(
    readonly kind: UnitRequestFailure,
    message: string,
    readonly status: number | null = null,
    readonly apiCode: string | null = null,
  ) {
    super(message);
    this.name = 'UnitRequestError';
  }
}

/** Raised by a pinned agent's check; carried through as kind `key-changed`. */
export class PinMismatchError extends Error {
  override readonly name = 'PinMismatchError';
  constructor(
    readonly expected: string,
    readonly presented: string,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_HTTP_TIMEOUT_MS = 3000;
const MAX_BODY_BYTES = 256 * 1024;

/** `https://<target>` for a link target (`host:port`, `[v6]:port`). */
export function baseUrl(target: string): string {
  return `https://${target}`;
}

/** One agent for public (discovery) requests: no client certificate, no pin, no keep-alive. */
const publicAgent = new UnitAgent();

export interface UnitRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  /** Default: the public agent (no client certificate). */
  agent?: https.Agent;
  timeoutMs?: number;
}

export interface UnitResponse {
  status: number;
  text: string;
  /** The key the unit presented on the connection that carried this request. */
  presented: PresentedKey | null;
}

/**
 * One HTTPS request (node:https, not fetch: fetch refuses the "bad ports" of the Fetch standard,
 * and a unit may listen on any port). Bounded by `timeoutMs` and the body size. Throws
 * UnitRequestError, never anything else.
 */
export function unitRequest(target: string, req: UnitRequest): Promise<UnitResponse> {
  const timeoutMs = req.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (kind: UnitRequestFailure, message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(new UnitRequestError(kind, message));
    };
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = body.length;
    }
    const request = https.request(
      `${baseUrl(target)}${req.path}`,
      { method: req.method ?? 'GET', agent: req.agent ?? publicAgent, headers },
      (res) => {
        const presented = presentedKeyOf(res.socket) ?? null;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) fail('not-a-unit', `${target} sent more than ${MAX_BODY_BYTES} bytes for ${req.path}: not a Pitwall unit`);
          else chunks.push(chunk);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), presented });
        });
        res.on('error', (err) => fail('unreachable', `the connection to ${target} broke while reading (${describe(err)})`));
        res.on('aborted', () => fail('unreachable', `the connection to ${target} broke while reading`));
      },
    );
    request.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (err instanceof PinMismatchError) fail('key-changed', err.message);
      else if (code === 'EPROTO' || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) {
        fail('not-a-unit', `${target} answered, but it does not look like a Pitwall unit (no TLS 1.3 with a certificate: ${(err as Error).message.split('\n')[0]})`);
      } else fail('unreachable', `nothing answered at ${target} (${describe(err)})`);
    });
    const timer = setTimeout(() => fail('unreachable', `nothing answered at ${target} (no answer within ${timeoutMs} ms)`), timeoutMs);
    request.end(body);
  });
}

/** Parses and validates a JSON answer; 4xx/5xx become `refused` with the unit's error code. */
export function parseAnswer<T extends TSchema>(target: string, path: string, res: UnitResponse, check: Validator<T>): Static<T> {
  let body: unknown = null;
  try {
    if (res.text !== '' || res.status < 200 || res.status > 299) body = JSON.parse(res.text);
  } catch {
    throw new UnitRequestError('not-a-unit', `${target} answered ${path} with something that is not JSON: it is not a Pitwall unit`);
  }
  if (res.status < 200 || res.status > 299) {
    if (apiError.is(body) && res.status >= 400 && res.status < 500) {
      throw new UnitRequestError('refused', `${body.error.message} (${body.error.code})`, res.status, body.error.code);
    }
    throw new UnitRequestError('not-a-unit', `${target} answered ${path} with HTTP ${res.status}: it does not look like a Pitwall unit`, res.status);
  }
  if (!check.is(body)) {
    let detail = '';
    try {
      check.parse(body);
    } catch (err) {
      detail = ` (${(err as Error).message})`;
    }
    throw new UnitRequestError('not-a-unit', `${target} answered ${path} but not as a Pitwall unit would${detail}`, res.status);
  }
  return body;
}

/** The request for one route of the table: its method, its path built from the params and query, its body. */
export function routeRequest<R extends AnyRoute>(r: R, args: RouteArgs<R> = {}, o: Pick<UnitRequest, 'agent' | 'timeoutMs'> = {}): UnitRequest {
  return { method: r.method, path: routePath(r, args), ...(args.body === undefined ? {} : { body: args.body }), ...o };
}

/**
 * A route's JSON answer checked against the table's schema for the status it came with; a 2xx
 * the route does not declare is `not-a-unit` like any answer of the wrong shape.
 */
export function parseRouteAnswer<R extends AnyRoute>(target: string, r: R, res: UnitResponse, path: string = r.path): AnswerOf<R> {
  if (res.status < 200 || res.status > 299) return parseAnswer(target, path, res, apiError) as never;
  const check = answerCheckFor(r, res.status);
  if (!check) throw new UnitRequestError('not-a-unit', `${target} answered ${routeName(r)} with HTTP ${res.status}, which that route never answers: it does not look like a Pitwall unit`, res.status);
  return parseAnswer(target, path, res, check) as AnswerOf<R>;
}

/** One call of a JSON route of the table; the answer validated against its schema (see parseRouteAnswer). */
export async function callRoute<R extends AnyRoute>(target: string, r: R, args: RouteArgs<R> = {}, o: Pick<UnitRequest, 'agent' | 'timeoutMs'> = {}): Promise<AnswerOf<R>> {
  const req = routeRequest(r, args, o);
  return parseRouteAnswer(target, r, await unitRequest(target, req), req.path);
}

/** GET /v1/info with the key the unit presented in TLS (the fingerprint that counts, not the one in the body). */
export async function probeInfo(target: string, timeoutMs = DEFAULT_HTTP_TIMEOUT_MS): Promise<{ info: DeviceInfo; presented: PresentedKey | null }> {
  const res = await unitRequest(target, routeRequest(Routes.info, {}, { timeoutMs }));
  return { info: parseRouteAnswer(target, Routes.info, res), presented: res.presented };
}

export async function getInfo(target: string, timeoutMs?: number): Promise<DeviceInfo> {
  return (await probeInfo(target, timeoutMs)).info;
}

/** GET /v1/status through `agent` (authenticated: the trusted channel's pinned agent). */
export async function getStatus(target: string, agent: https.Agent, timeoutMs?: number): Promise<DeviceStatus> {
  return callRoute(target, Routes.status, {}, { agent, timeoutMs });
}

export function describe(err: unknown): string {
  const code = (err as { code?: string })?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  if (code === 'EPROTO' || code?.startsWith('ERR_SSL') || code?.startsWith('ERR_TLS')) return `it does not speak TLS 1.3 as a Pitwall unit does: ${(err as Error).message}`;
  if (code === 'HPE_INVALID_CONSTANT' || code?.startsWith('HPE_')) return 'it does not speak HTTP';
  return (err as Error)?.message ?? String(err);
}
