import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { claimCodeRequest, hubChallengeRequest, HubRoutes, registrationRequest, SchemaError, type HubRoute, type RegistrationRequest, type Validator } from '@pitwall/protocol';
import type { TSchema } from '@sinclair/typebox';
import type { HubTables } from './db/tables.js';
import { HubRefusal } from './hub-refusal.js';
import type { HubSigningKey } from './hub-signing-key.js';
import { authenticateMember, type Member } from './organisations/members.js';
import { issueClaimCode } from './registration/claim-codes.js';
import { issueChallenge, purgeExpiredChallenges } from './registration/challenges.js';
import { registerUnit } from './registration/register-unit.js';

export interface HubServerOptions {
  db: Kysely<HubTables>;
  key: HubSigningKey;
  now?: () => number;
  /** Behind a reverse proxy or load balancer: take the client address from X-Forwarded-For. */
  trustProxy?: boolean;
  log?: (line: Record<string, unknown>) => void;
}

/** Largest request body: a registration request is under 1 KiB. */
const BODY_LIMIT_B = 16 * 1024;

type Handler<B> = (body: B, req: FastifyRequest, member: Member | null) => Promise<{ status: number; answer: unknown }>;

/**
 * The hub's HTTP server: every route from HubRoutes, each body checked against its schema by
 * the protocol's validator (no coercion: a number is not a string), refusals as
 * `{"error":{"code","message"}}`. Nothing lives in the process between requests: challenges,
 * claim codes, units and members are in the database, so any number of hub processes may share it.
 */
export function buildHubServer(opts: HubServerOptions): FastifyInstance {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => undefined);
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_B, trustProxy: opts.trustProxy ?? false, return503OnClosing: true });

  function serve<B>(route: HubRoute, check: Validator<TSchema> | null, handler: Handler<B>): void {
    app.route({
      method: route.method,
      url: route.path,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const member = route.access === 'member' ? await authenticateMember(opts.db, req.headers.authorization) : null;
        const body = check ? (check.parse(req.body) as B) : (undefined as B);
        const { status, answer } = await handler(body, req, member);
        return reply.code(status).send(answer);
      },
    });
  }

  serve(HubRoutes.key, null, async () => ({ status: 200, answer: opts.key.info }));
  let issued = 0;
  serve<{ purpose: 'live' | 'forward' }>(HubRoutes.challenge, hubChallengeRequest, async (body) => {
    // Expired challenges are swept now and then by whichever process issues one.
    if (++issued % 256 === 1) await purgeExpiredChallenges(opts.db, now());
    return { status: 201, answer: await issueChallenge(opts.db, body.purpose, now()) };
  });
  serve<RegistrationRequest>(HubRoutes.register, registrationRequest, async (body, req) => {
    const { status, answer } = await registerUnit({ db: opts.db, key: opts.key, now, source: req.ip }, body);
    log({ event: 'registration', unitId: body.unitId, status });
    return { status, answer };
  });
  serve<{ academyId: string }>(HubRoutes.claimCode, claimCodeRequest, async (body, _req, member) => ({
    status: 201,
    answer: await issueClaimCode(opts.db, member!, body.academyId, now()),
  }));

  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: { code: 'not-found', message: 'No such hub route.' } }));
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof HubRefusal) {
      if (err.code === 'key-mismatch') log({ event: 'key-mismatch', message: err.message, source: req.ip });
      return reply.code(err.status).send({ error: { code: err.code, message: err.message } });
    }
    if (err instanceof SchemaError) return reply.code(400).send({ error: { code: 'invalid-message', message: err.message.slice(0, 500) } });
    // Fastify's own refusals: a body that is not JSON, too large, of another content type.
    const status = err.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: { code: (err.code ?? 'bad-request').toLowerCase(), message: err.message.slice(0, 300) } });
    }
    log({ event: 'internal-error', url: req.url, error: err.stack ?? String(err) });
    return reply.code(500).send({ error: { code: 'internal', message: 'The hub failed on this request; it is logged.' } });
  });
  return app;
}
