import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { HubRoutes, SchemaError } from '@pitwall/protocol';
import type { HubTables } from './db/tables.js';
import { HubRefusal } from './hub-refusal.js';
import { useStoredTextJsonParser } from './stored-text.js';
import { limitMemberRequests, serveHubRoute } from './hub-route.js';
import { authenticateMember, redactTokens, type Member } from './organisations/members.js';
import type { HubSigningKey } from './hub-signing-key.js';
import type { TrustedKey } from '@pitwall/protocol/node';
import { issueClaimCode } from './registration/claim-codes.js';
import { issueChallenge, purgeExpiredChallenges } from './registration/challenges.js';
import { registerUnit } from './registration/register-unit.js';
import { serveTeamRoutes } from './team/team-routes.js';
import { serveFleetRoutes } from './fleet/fleet-routes.js';
import { serveRegistryRoutes } from './registry/registry-routes.js';
import { serveRosterRoutes } from './team/roster-routes.js';
import { purgeAllowances, sourceKey, spendAllowance } from './rate-limit.js';

export interface HubServerOptions {
  db: Kysely<HubTables>;
  key: HubSigningKey;
  /** Vendor keys whose birth certificates a first registration must carry (null: development mode). */
  vendorKeys?: ReadonlyMap<string, TrustedKey> | null;
  now?: () => number;
  /**
   * Behind a reverse proxy or load balancer: take the client address from X-Forwarded-For.
   * `true`: the one entry the proxy at the socket appended (the last); a string: the proxies'
   * addresses or CIDRs (comma-separated), whose entries are skipped from the right. Entries a
   * client wrote itself are never taken.
   */
  trustProxy?: boolean | string;
  log?: (line: Record<string, unknown>) => void;
  /**
   * Requests a minute each client address (an IPv6 /64) may make to each public route that
   * writes (challenges, registrations); 0 or absent: no limit (a benchmark, or a proxy that limits).
   */
  rateLimitPerMinute?: number;
  /**
   * Requests a minute each member token may make to the member routes (and for forward
   * challenges), counted in the database for every process; 0 or absent: no limit.
   */
  memberRateLimitPerMinute?: number;
  /** Limits on slow clients (tests make them short). */
  timeouts?: Partial<HubTimeouts>;
}

/**
 * How long a client may take: its headers, its whole request (a 32 MiB registry push over a slow
 * link included), and a silence on its connection. Fastify's defaults are none for the request
 * and the silence, so a body sent a byte at a time held a connection for as long as the client liked.
 */
export interface HubTimeouts {
  headersMs: number;
  requestMs: number;
  idleMs: number;
  /** How often Node checks the header and request limits. */
  checkEveryMs: number;
}

// The silence allowed is longer than keep-alive (72 s) and than the idle timeout of common load
// balancers (60 s): a hub that closed a pooled connection first would make the balancer answer 502.
const TIMEOUTS: HubTimeouts = { headersMs: 10_000, requestMs: 300_000, idleMs: 75_000, checkEveryMs: 2_000 };

/** proxy-addr's walk from the socket: the peer (the proxy) is trusted, so the address it appended is the client. */
const trustOneHop = (_address: string, hop: number) => hop === 0;

/** Largest request body: a registration request is under 1 KiB, a shared session of 1,000 laps under 100 KiB. */
const BODY_LIMIT_B = 256 * 1024;

/** An unknown or malformed token on a route a stranger may call: a stranger, not a refusal. */
function strangerAsNull(err: unknown): null {
  if (err instanceof HubRefusal && err.status === 401) return null;
  throw err;
}

/**
 * The hub's HTTP server: every route from HubRoutes, refusals as `{"error":{"code","message"}}`.
 * Nothing lives in the process between requests: challenges, claim codes, units, members, groups
 * and sessions are in the database, so any number of hub processes may share it.
 */
export function buildHubServer(opts: HubServerOptions): FastifyInstance {
  const { db } = opts;
  const now = opts.now ?? Date.now;
  const logLine = opts.log ?? (() => undefined);
  const log = (line: Record<string, unknown>) => logLine(JSON.parse(redactTokens(JSON.stringify(line))) as Record<string, unknown>);
  const limits = { ...TIMEOUTS, ...opts.timeouts };
  const app = Fastify({
    logger: false,
    http: { headersTimeout: limits.headersMs, connectionsCheckingInterval: limits.checkEveryMs },
    requestTimeout: limits.requestMs,
    connectionTimeout: limits.idleMs,
    bodyLimit: BODY_LIMIT_B,
    // Fastify's `true` trusts every hop: the leftmost X-Forwarded-For entry, which the client writes.
    trustProxy: opts.trustProxy === true ? trustOneHop : (opts.trustProxy ?? false),
    return503OnClosing: true,
    // A URL the router refuses (bad encoding, a parameter past its length) gets the hub's error
    // shape too, without the URL echoed back.
    frameworkErrors: (err, _req, reply) => {
      const status = (err as { statusCode?: number }).statusCode ?? 400;
      void (reply as unknown as FastifyReply).code(status).send({ error: { code: 'bad-url', message: 'The hub cannot route this URL (bad encoding, or a part too long).' } });
    },
  });

  useStoredTextJsonParser(app);

  // Anyone may call the public routes that write: each client address has an allowance a minute,
  // counted in the database, spent before the body is read.
  const perMinute = opts.rateLimitPerMinute ?? 0;
  const limited = (bucket: string) => (perMinute > 0 ? (req: FastifyRequest) => spendAllowance(db, `${bucket} ${sourceKey(req.ip)}`, perMinute, now()) : undefined);

  // A member is known, but a token may be stolen: each has an allowance a minute too, counted by
  // the token's lookup itself.
  const memberAllowance = { perMinute: opts.memberRateLimitPerMinute ?? 0, now };
  limitMemberRequests(app, memberAllowance);

  serveHubRoute(app, db, HubRoutes.key, async () => ({ status: 200, answer: opts.key.info }));
  // A member asking for challenges counts against their token's allowance, not their address's:
  // academies at one track share its Wi-Fi's address, and a stranger there spending the address's
  // allowance must not stop another academy's companion taking its forward challenges.
  const challengers = new WeakMap<FastifyRequest, Member>();
  const addressLimit = limited('challenge');
  const challengeLimit = async (req: FastifyRequest) => {
    const member = req.headers.authorization === undefined ? null : await authenticateMember(db, req.headers.authorization, memberAllowance).catch(strangerAsNull);
    if (member) challengers.set(req, member);
    else await addressLimit?.(req);
  };
  let issued = 0;
  serveHubRoute(
    app,
    db,
    HubRoutes.challenge,
    async ({ body, req }) => {
      // A `forward` challenge waits for days: only a member (a companion's operator) asks for one,
      // so strangers cannot fill the table with long-lived rows.
      const member = body.purpose === 'forward' ? (challengers.get(req) ?? (await authenticateMember(db, req.headers.authorization))) : null;
      // Expired challenges and past minutes' counts are swept now and then by whichever process issues one.
      if (++issued % 256 === 1) await Promise.all([purgeExpiredChallenges(db, now()), purgeAllowances(db, now())]);
      return { status: 201, answer: await issueChallenge(db, body.purpose, now(), member?.id ?? null) };
    },
    challengeLimit,
  );
  serveHubRoute(
    app,
    db,
    HubRoutes.register,
    async ({ body, req }) => {
      const { status, answer } = await registerUnit({ db, key: opts.key, now, source: req.ip, vendorKeys: opts.vendorKeys ?? null }, body);
      log({ event: 'registration', unitId: body.unitId, status });
      return { status, answer };
    },
    limited('register'),
  );
  serveHubRoute(app, db, HubRoutes.claimCode, async ({ body, member }) => ({ status: 201, answer: await issueClaimCode(db, member, body.academyId, now()) }));
  serveTeamRoutes(app, db, now);
  serveFleetRoutes(app, db);
  serveRegistryRoutes(app, db, now);
  serveRosterRoutes(app, db, now);

  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: { code: 'not-found', message: 'No such hub route.' } }));
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof HubRefusal) {
      if (err.retryAfterS !== undefined) void reply.header('retry-after', String(err.retryAfterS));
      if (err.code === 'key-mismatch') log({ event: 'key-mismatch', message: err.message, source: req.ip });
      return reply.code(err.status).send({ error: { code: err.code, message: redactTokens(err.message) } });
    }
    if (err instanceof SchemaError) return reply.code(400).send({ error: { code: 'invalid-message', message: redactTokens(err.message.slice(0, 500)) } });
    // Fastify's own refusals: a body that is not JSON, too large, of another content type.
    const status = err.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: { code: (err.code ?? 'bad-request').toLowerCase(), message: redactTokens(err.message.slice(0, 300)) } });
    }
    log({ event: 'internal-error', url: req.url, error: err.stack ?? String(err) });
    return reply.code(500).send({ error: { code: 'internal', message: 'The hub failed on this request; it is logged.' } });
  });
  return app;
}
