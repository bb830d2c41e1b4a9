import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  ApiError,
  AUDIT_PAGE_MAX,
  AuditQuery,
  ChallengeRequest,
  ChallengeResponse,
  Fingerprint,
  NetworkPairRequest,
  Operator,
  OperatorList,
  OwnerRequest,
  OwnerRequestList,
  PairResult,
  PairingPending,
  PairingWindow,
  type AuditQuery as AuditQueryT,
  type ChallengeRequest as ChallengeRequestT,
  type NetworkPairRequest as NetworkPairRequestT,
} from '@pitwall/protocol';
import type { AuditLog } from '../identity/audit-log.js';
import type { PairingService } from '../identity/pairing-service.js';
import type { OperatorStore } from '../identity/operator-store.js';
import type { PairingWindow as Window } from '../identity/pairing-window.js';
import type { Auth } from './auth-hook.js';

const NoQuery = Type.Object({}, { additionalProperties: false });
const errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 429: ApiError, 503: ApiError };

export interface IdentityRouteDeps {
  pairing: PairingService;
  operators: OperatorStore;
  window: Window;
  auth: () => Auth;
  audit: AuditLog;
}

/** Accepts base64url too: fingerprints carry `/` and `+`, awkward in a path. */
function normaliseFingerprint(text: string): string {
  return text.replace(/-/g, '+').replace(/_/g, '/');
}

/** Pairing, operators, audit and challenge routes (the auth hook enforces each route's `access`). */
export function registerIdentityRoutes(app: FastifyInstance, d: IdentityRouteDeps): void {
  app.get('/v1/pairing', { config: { access: 'public' }, schema: { querystring: NoQuery, response: { 200: PairingWindow, ...errors } } }, async () => d.window.state());

  app.post<{ Body: NetworkPairRequestT }>(
    '/v1/pairing',
    { config: { access: 'cert' }, schema: { querystring: NoQuery, body: NetworkPairRequest, response: { 200: PairResult, 202: PairingPending, ...errors } } },
    async (req, reply) => {
      const out = await d.pairing.pair({ operatorFingerprint: req.clientFingerprint!, name: req.body.operatorName, role: req.body.role, via: 'network', source: req.ip });
      if ('pending' in out) reply.code(202);
      return out;
    },
  );

  // Further owners asked for over the network wait here for an existing owner.
  const RequestParams = Type.Object({ id: Type.String({ pattern: '^[a-f0-9]{16}$' }) });
  const by = (req: { operator?: { name: string; fingerprint: string } }) => (req.operator ? `"${req.operator.name}" (${req.operator.fingerprint})` : 'unknown');
  app.get('/v1/pairing/requests', { config: { access: 'admin' }, schema: { querystring: NoQuery, response: { 200: OwnerRequestList, ...errors } } }, async () => ({
    requests: d.pairing.pendingOwnerRequests(),
  }));
  app.post<{ Params: { id: string } }>(
    '/v1/pairing/requests/:id/approve',
    { config: { access: 'admin' }, schema: { querystring: NoQuery, params: RequestParams, response: { 200: Operator, ...errors } } },
    async (req) => d.pairing.approve(req.params.id, by(req)),
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/pairing/requests/:id',
    { config: { access: 'admin' }, schema: { querystring: NoQuery, params: RequestParams, response: { 200: OwnerRequest, ...errors } } },
    async (req) => d.pairing.deny(req.params.id, by(req)),
  );

  app.get('/v1/operators', { config: { access: 'admin' }, schema: { querystring: NoQuery, response: { 200: OperatorList, ...errors } } }, async () => ({
    operators: d.operators.list(),
  }));

  app.delete<{ Params: { fingerprint: string } }>(
    '/v1/operators/:fingerprint',
    {
      config: { access: 'admin' },
      schema: { querystring: NoQuery, params: Type.Object({ fingerprint: Type.String({ maxLength: 100 }) }), response: { 200: Operator, ...errors } },
    },
    async (req, reply) => {
      const fp = normaliseFingerprint(req.params.fingerprint);
      if (!new RegExp(Fingerprint.pattern!).test(fp)) {
        return reply.code(400).send({ error: { code: 'bad-request', message: `not a key fingerprint: ${fp.slice(0, 80)} (expected SHA256:<43 base64 characters>, URL-encoded)` } });
      }
      const op = await d.pairing.revoke(fp, by(req), 'network');
      reply.raw.once('finish', () => d.auth().disconnect(fp));
      return op;
    },
  );

  // Owner only, like the operator list: the records name operators, their keys and roles.
  app.get<{ Querystring: AuditQueryT }>('/v1/audit', { config: { access: 'admin' }, schema: { querystring: AuditQuery, response: { ...errors } } }, async (req, reply) => {
    const after = req.query.after ?? 0;
    const limit = req.query.limit ?? AUDIT_PAGE_MAX;
    const records = d.audit.read(after, limit);
    const lines = Readable.from(
      (async function* () {
        for await (const r of records) yield `${JSON.stringify(r)}\n`;
      })(),
    );
    return reply.type('application/x-ndjson').send(lines);
  });

  app.post<{ Body: ChallengeRequestT }>(
    '/v1/identity/challenge',
    { config: { access: 'read' }, schema: { querystring: NoQuery, body: ChallengeRequest, response: { 200: ChallengeResponse, ...errors } } },
    async (req) => ({ signature: d.pairing.challenge(req.body.nonce) }),
  );
}
