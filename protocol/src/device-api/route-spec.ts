import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { roleAllows, type Permission, type Role } from '../identity/role.js';
import { validator, validatorOf, type Validator } from '../validate.js';
import type { API_PREFIX } from './routes.js';
import type { LicenseFeature } from '../license/license-feature.js';

/** A path of the device API (`/v1/...`). */
export type ApiPath = `${typeof API_PREFIX}/${string}`;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a route needs: `public` (anyone), `cert` (any client certificate: network pairing), or a permission of the operator's role. */
export type Access = 'public' | 'cert' | Permission;

/**
 * How the answer travels: `json` (one JSON document, validated whole), `sse` (Server-Sent
 * Events, each event's data a JSON document), `ndjson` (one JSON document a line, streamed),
 * `bytes` (a binary download with HTTP Range).
 */
export type Streaming = 'json' | 'sse' | 'ndjson' | 'bytes';

/** Success statuses and their answers: the whole body (`json`), one line (`ndjson`), one event's data (`sse`). */
export type Responses = Readonly<Record<number, TSchema>>;

export interface RouteSpec<
  P extends TObject | undefined = TObject | undefined,
  Q extends TObject = TObject,
  B extends TSchema | undefined = TSchema | undefined,
  R extends Responses = Responses,
> {
  readonly method: HttpMethod;
  /** Fastify-style: `:name` for a path parameter. */
  readonly path: ApiPath;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly responses: R;
  readonly access: Access;
  readonly stream: Streaming;
  /** A larger body than the server's default (64 KiB) this route accepts. */
  readonly maxBodyB?: number;
  /** `bytes`: the body is streamed to the handler as application/octet-stream, never buffered whole. */
  readonly upload?: 'bytes';
  /**
   * The licence feature the route needs: the unit refuses it (403 feature-not-licensed) while its
   * licence does not include it. Never set on recording, logs, health, update, recovery, licence,
   * status or pairing routes: those never stop for a licence reason.
   */
  readonly feature?: LicenseFeature;
  /** One sentence for the docs and for error messages. */
  readonly summary: string;
}

export type AnyRoute = RouteSpec<TObject | undefined, TObject, TSchema | undefined, Responses>;

/** A query with no parameters (any given is refused). */
export const NoQuery = Type.Object({}, { additionalProperties: false });

/** Declares a route; the unset parts default to none (no params, no query, no body). */
export function route<P extends TObject | undefined = undefined, Q extends TObject = typeof NoQuery, B extends TSchema | undefined = undefined, R extends Responses = Responses>(spec: {
  method: HttpMethod;
  path: ApiPath;
  params?: P;
  query?: Q;
  body?: B;
  responses: R;
  access: Access;
  stream?: Streaming;
  maxBodyB?: number;
  upload?: 'bytes';
  feature?: LicenseFeature;
  summary: string;
}): RouteSpec<P, Q, B, R> {
  const names = [...spec.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  const declared = spec.params ? Object.keys(spec.params.properties) : [];
  if (names.join() !== declared.join()) throw new Error(`route ${spec.method} ${spec.path}: path parameters [${names}] differ from its params schema [${declared}]`);
  return {
    method: spec.method,
    path: spec.path,
    params: spec.params as P,
    query: (spec.query ?? NoQuery) as Q,
    body: spec.body as B,
    responses: spec.responses,
    access: spec.access,
    stream: spec.stream ?? 'json',
    ...(spec.maxBodyB === undefined ? {} : { maxBodyB: spec.maxBodyB }),
    ...(spec.upload === undefined ? {} : { upload: spec.upload }),
    ...(spec.feature === undefined ? {} : { feature: spec.feature }),
    summary: spec.summary,
  };
}

export type ParamsOf<R extends AnyRoute> = R['params'] extends TObject ? Static<R['params']> : undefined;
export type QueryOf<R extends AnyRoute> = Static<R['query']>;
export type BodyOf<R extends AnyRoute> = R['body'] extends TSchema ? Static<R['body']> : undefined;
/** The answer of any success status (a union where there are several). */
export type AnswerOf<R extends AnyRoute> = { [S in keyof R['responses']]: R['responses'][S] extends TSchema ? Static<R['responses'][S]> : never }[keyof R['responses']];

/** What a caller gives to build a request: the params and the query when the route has any. */
export interface RouteArgs<R extends AnyRoute> {
  params?: ParamsOf<R>;
  query?: Partial<Record<keyof QueryOf<R>, string | number | boolean | undefined>>;
  body?: BodyOf<R>;
}

/** The concrete path of a route: each `:name` replaced by its URL-encoded value, then the query (undefined values left out). */
export function routePath<R extends AnyRoute>(r: R, args: Pick<RouteArgs<R>, 'params' | 'query'> = {}): string {
  const params = (args.params ?? {}) as Record<string, unknown>;
  const path = r.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined || v === null || v === '') throw new Error(`${r.method} ${r.path}: no value for :${name}`);
    return encodeURIComponent(String(v));
  });
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(args.query ?? {})) if (v !== undefined) q.append(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** `GET /v1/sessions/:id`: how a route is named in messages and tests. */
export function routeName(r: AnyRoute): string {
  return `${r.method} ${r.path}`;
}

/** The roles that may call a route (every role for `public` and `cert`). */
export function rolesAllowed(r: AnyRoute): Role[] {
  const all: Role[] = ['owner', 'staff', 'dealer', 'support'];
  const access = r.access;
  if (access === 'public' || access === 'cert') return all;
  return all.filter((role) => roleAllows(role, access));
}

const answerChecks = new WeakMap<TSchema, Validator<TSchema>>();

/** The compiled check of a route's answer for one status (null: the route declares no answer with that status). */
export function answerCheckFor(r: AnyRoute, status: number): Validator<TSchema> | null {
  const schema = r.responses[status];
  if (!schema) return null;
  let check = answerChecks.get(schema);
  if (!check) answerChecks.set(schema, (check = validatorOf(schema) ?? validator(`answer of ${routeName(r)} (${status})`, schema)));
  return check;
}

/** The typed check of a route's answer with a status it declares (a JSON document, an NDJSON line or an event's data). */
export function answerCheck<R extends AnyRoute, S extends keyof R['responses'] & number>(r: R, status: S): Validator<R['responses'][S]> {
  return answerCheckFor(r, status) as Validator<R['responses'][S]>;
}

/**
 * The table route a request is for (method and concrete path, query ignored), with its key and
 * decoded params, or null. For servers that are not Fastify (the testbed's fakes) and for tests.
 */
export function matchRoute<T extends Readonly<Record<string, AnyRoute>>>(table: T, method: string, url: string): { key: keyof T & string; route: T[keyof T]; params: Record<string, string> } | null {
  const path = url.split('?')[0]!;
  // Fixed segments win over parameters (POST /v1/sessions/start before any POST /v1/sessions/:id).
  const entries = Object.entries(table).sort(([, a], [, b]) => a.path.split(':').length - b.path.split(':').length);
  for (const [key, r] of entries) {
    if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
    const m = pathPattern(r).exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    try {
      for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeURIComponent(v);
    } catch {
      continue;
    }
    return { key, route: r as T[keyof T], params };
  }
  return null;
}

const patterns = new WeakMap<AnyRoute, RegExp>();
function pathPattern(r: AnyRoute): RegExp {
  let re = patterns.get(r);
  if (!re) {
    const source = r.path
      .split('/')
      .map((seg) => (seg.startsWith(':') ? `(?<${seg.slice(1)}>[^/]+)` : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    patterns.set(r, (re = new RegExp(`^${source}$`)));
  }
  return re;
}
