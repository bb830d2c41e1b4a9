import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { ApiError, type AnyRoute, type BodyOf, type ParamsOf, type QueryOf } from '@pitwall/protocol';

/** Every refusal of the API has the ApiError shape. */
const ERRORS: Record<number, TSchema> = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 413: ApiError, 416: ApiError, 429: ApiError, 503: ApiError };

export type TableRequest<R extends AnyRoute> = FastifyRequest<{ Params: ParamsOf<R>; Querystring: QueryOf<R>; Body: BodyOf<R> }>;
export type TableHandler<R extends AnyRoute> = (req: TableRequest<R>, reply: FastifyReply) => unknown;

export interface ServeOptions {
  /**
   * The handler checks the body against the route's schema itself: the server's validator
   * coerces types (null and "900" pass as numbers), which suits a query string, not a document
   * that decides how sessions are timed.
   */
  bodyCheckedByHandler?: boolean;
}

/**
 * Registers one route of the table: its method, path, params, query and body validation, its
 * answers' serialization (JSON routes) and the access the auth hook enforces all come from the
 * table entry; only the handler is the caller's.
 */
export function serve<R extends AnyRoute>(app: FastifyInstance, r: R, handler: TableHandler<R>, opts: ServeOptions = {}): void {
  const response: Record<number, TSchema> = { ...ERRORS };
  if (r.stream === 'json') {
    for (const [status, schema] of Object.entries(r.responses)) if (status !== '204') response[Number(status)] = schema;
  }
  app.route({
    method: r.method,
    url: r.path,
    config: { access: r.access, ...(r.upload ? { upload: r.upload } : {}), ...(r.feature ? { feature: r.feature } : {}) },
    ...(r.maxBodyB === undefined ? {} : { bodyLimit: r.maxBodyB }),
    schema: {
      querystring: r.query,
      ...(r.params ? { params: r.params } : {}),
      ...(r.body && !opts.bodyCheckedByHandler ? { body: r.body } : {}),
      response,
    },
    handler: handler as unknown as RouteHandlerMethod,
  });
}

/** What the server registered, method and path, for the contract test's coverage check. */
export interface RegisteredRoute {
  method: string;
  url: string;
}

/** Records every route registered on `app` from now on (Fastify's onRoute hook). */
export function recordRoutes(app: FastifyInstance): RegisteredRoute[] {
  const seen: RegisteredRoute[] = [];
  app.addHook('onRoute', (opts) => {
    for (const method of [opts.method].flat()) seen.push({ method, url: opts.url });
  });
  return seen;
}
