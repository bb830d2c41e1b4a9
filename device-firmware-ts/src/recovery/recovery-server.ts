import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { Routes, type ApiError, type Operator } from '@pitwall/protocol';
import type { Logger } from '../ops/logger.js';
import type { AuditLog } from '../identity/audit-log.js';
import { peerFingerprint, registerAuth } from '../api/auth-hook.js';
import { connectionLimitsFor, guardConnections } from '../api/connection-guard.js';
import { REQUEST_TIMEOUT_MS, unitServerOptions } from '../api/unit-server-options.js';
import { limitRequestTime } from '../api/request-deadline.js';
import { serve } from '../api/table-route.js';
import { registerUpdatePushRoute } from '../api/update-push-route.js';
import type { BundleReceiver } from '../update/bundle-receiver.js';
import type { RecoveryActions } from './recovery-actions.js';
import type { RecoveryIdentity } from './recovery-identity.js';
import { RecoveryRefusal } from './recovery-rollback.js';

export interface RecoveryServerDeps {
  identity: RecoveryIdentity;
  actions: RecoveryActions;
  audit: AuditLog;
  log: Logger;
  /** Installing a bundle (shared with the serial link: one at a time); absent, the install route is not served. */
  install?: BundleReceiver;
}

const errorBody = (code: string, message: string): ApiError => ({ error: { code, message } });

/**
 * Recovery mode's API: HTTPS with the unit's own key (TLS 1.3, the client certificate pinned
 * against the paired operators by the normal auth hook), only the recovery routes of the table,
 * each for an owner or a dealer. Every change is audited with who asked.
 */
export function createRecoveryServer(d: RecoveryServerDeps): FastifyInstance {
  const app = Fastify({
    ...unitServerOptions(d.identity.tls),
    bodyLimit: 4 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  }) as unknown as FastifyInstance;
  const send = (reply: FastifyReply, status: number, code: string, message: string) => void reply.code(status).send(errorBody(code, message));
  limitRequestTime(app, REQUEST_TIMEOUT_MS, () => errorBody('request-timeout', `the request did not arrive within ${REQUEST_TIMEOUT_MS / 1000} s`));
  const { operators } = d.actions;
  registerAuth(app, { operators, audit: d.audit, identityOk: true, send });
  // The runtime's caps on connections without a paired key (half-open handshakes, floods).
  guardConnections(app.server as Parameters<typeof guardConnections>[0], connectionLimitsFor(), (tls) => {
    const fp = peerFingerprint(tls);
    const op = fp ? operators.get(fp) : undefined;
    return op !== undefined && op.revokedAt === null;
  });
  const caller = (req: { operator?: Operator }) => ({ operator: req.operator, via: 'network' as const });

  serve(app, Routes.recovery, () => d.actions.status());
  serve(app, Routes.recoveryRollback, (req) => d.actions.rollback(req.body.slot, caller(req)));
  if (d.install) registerUpdatePushRoute(app, Routes.recoveryInstall, d.install, send);
  serve(app, Routes.factoryReset, (req) => d.actions.factoryReset(req.body.confirmUnitId, caller(req)));

  app.setNotFoundHandler((req, reply) => send(reply, 404, 'not-found', `no route ${req.method} ${req.url.split('?')[0]} in recovery mode`));
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    if (err instanceof RecoveryRefusal) return send(reply, err.status, err.code, err.message);
    if (err.validation) return send(reply, 400, 'bad-request', `invalid request for ${req.url.split('?')[0]}: ${err.message}`);
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) d.log.error(`${req.method} ${req.url.split('?')[0]}: ${err.message}`);
    const code = status === 500 ? 'internal' : status === 413 ? 'too-large' : status === 415 ? 'unsupported-media-type' : 'bad-request';
    return send(reply, status, code, status === 500 ? 'internal error' : err.message);
  });
  return app;
}
