import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { TSchema, Static } from '@sinclair/typebox';
import { validatorOf, type HubRoute, type Validator } from '@pitwall/protocol';
import type { HubTables } from './db/tables.js';
import { authenticateMember, type Member } from './organisations/members.js';
import type { MemberAllowance } from './organisations/member-allowance.js';
import { bodyToCheck, refuseUnstorableText } from './stored-text.js';

type StaticOr<S, D> = S extends TSchema ? Static<S> : D;

export interface HubCall<R extends HubRoute> {
  body: StaticOr<R['body'], undefined>;
  params: StaticOr<R['params'], undefined>;
  query: StaticOr<R['query'], undefined>;
  /** The authenticated member (routes of access `member`), else null. */
  member: R['access'] extends 'member' ? Member : null;
  req: FastifyRequest;
}

export type HubHandler<R extends HubRoute> = (call: HubCall<R>) => Promise<{ status: number; answer: unknown }>;

function check(schema: TSchema | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const v = validatorOf(schema) as Validator<TSchema> | undefined;
  if (!v) throw new Error('every hub schema has a named validator in protocol/src/hub');
  return v.parse(value);
}

/** The member each request of a member route was authenticated as, before its body was read. */
const members = new WeakMap<FastifyRequest, Member>();

/** Each server's allowance per member token (buildHubServer sets it before serving its routes). */
const allowances = new WeakMap<FastifyInstance, MemberAllowance>();

/** Counts every request of a member route of `app` against its member's allowance (429 past it). */
export function limitMemberRequests(app: FastifyInstance, allowance: MemberAllowance): void {
  allowances.set(app, allowance);
}

/**
 * Registers one route of HubRoutes: the member's token checked first, before the body is read (a
 * stranger's body, up to 32 MiB for a registry push, is neither read nor parsed, and a stranger
 * learns nothing from the shape of a body), then params, query and body by the protocol's
 * validators (no coercion); only the handler is the caller's.
 */
export function serveHubRoute<R extends HubRoute>(
  app: FastifyInstance,
  db: Kysely<HubTables>,
  route: R,
  handler: HubHandler<R>,
  /** Runs before the body is read (a rate limit: a refused request costs no parsing). */
  onRequest?: (req: FastifyRequest) => Promise<void>,
): void {
  const authenticate = async (req: FastifyRequest) => {
    if (route.access === 'member') members.set(req, await authenticateMember(db, req.headers.authorization, allowances.get(app)));
  };
  app.route({
    method: route.method,
    url: route.path,
    onRequest: async (req: FastifyRequest) => {
      await onRequest?.(req);
      await authenticate(req);
    },
    ...(route.maxBodyB ? { bodyLimit: route.maxBodyB } : {}),
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      const member = route.access === 'member' ? members.get(req) : null;
      if (member === undefined) throw new Error('a member route ran without its member');
      refuseUnstorableText(req.params, req.query, bodyToCheck(req.body));
      const call = {
        member,
        params: check(route.params, req.params),
        query: check(route.query, req.query),
        body: check(route.body, req.body),
        req,
      } as HubCall<R>;
      const { status, answer } = await handler(call);
      return reply.code(status).send(answer);
    },
  });
}
