import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { Routes, type ApiError, type Operator, type RecoveryStatus } from '@pitwall/protocol';
import type { Logger } from '../ops/logger.js';
import type { AuditLog } from '../identity/audit-log.js';
import type { OperatorStore } from '../identity/operator-store.js';
import { peerFingerprint, registerAuth } from '../api/auth-hook.js';
import { connectionLimitsFor, guardConnections } from '../api/connection-guard.js';
import { REQUEST_TIMEOUT_MS, unitServerOptions } from '../api/unit-server-options.js';
import { limitRequestTime } from '../api/request-deadline.js';
import { serve } from '../api/table-route.js';
import { registerUpdatePushRoute } from '../api/update-push-route.js';
import type { UpdatePushSettings } from '../update/update-boot.js';
import type { UpdateAgent } from '../update/update-state-runner.js';
import { BootRecordStore } from '../update/boot-record-store.js';
import { factoryReset } from './factory-reset.js';
import type { RecoveryIdentity } from './recovery-identity.js';
import { RecoveryRefusal, rollBackTo } from './recovery-rollback.js';

export interface RecoveryServerDeps {
  dataDir: string;
  wifiConnectionsDir: string;
  identity: RecoveryIdentity;
  operators: OperatorStore;
  /** The operator list read again from disk (after a factory reset: empty). */
  reopenOperators: () => Promise<OperatorStore>;
  audit: AuditLog;
  log: Logger;
  /** Installing a bundle: the agent (booted from no slot) and its settings; absent, the install route is not served. */
  install?: { agent: UpdateAgent; settings: UpdatePushSettings };
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
  // The auth hook holds this object; after a factory reset it answers from the emptied list.
  let current = d.operators;
  const operators: OperatorStore = {
    get: (fp) => current.get(fp),
    list: () => current.list(),
    hasActiveOwner: () => current.hasActiveOwner(),
    activeOwners: () => current.activeOwners(),
    add: (op) => current.add(op),
    revoke: (fp) => current.revoke(fp),
    remove: (fp) => current.remove(fp),
  };
  registerAuth(app, { operators, audit: d.audit, identityOk: true, send });
  // The runtime's caps on connections without a paired key (half-open handshakes, floods).
  guardConnections(app.server as Parameters<typeof guardConnections>[0], connectionLimitsFor(), (tls) => {
    const fp = peerFingerprint(tls);
    const op = fp ? operators.get(fp) : undefined;
    return op !== undefined && op.revokedAt === null;
  });
  const records = new BootRecordStore(d.dataDir, d.log);
  const audit = (op: Operator | undefined, outcome: 'ok' | 'error', detail: string) =>
    d.audit.write({ event: 'recovery', outcome, operatorFingerprint: op?.fingerprint ?? null, role: op?.role ?? null, via: 'network', detail: detail.slice(0, 500) });

  serve(app, Routes.recovery, async (): Promise<RecoveryStatus> => {
    const { record } = await records.read();
    return { mode: 'recovery', unitId: d.identity.id, active: record.active, lastGood: record.lastGood, slots: record.slots };
  });

  serve(app, Routes.recoveryRollback, async (req) => {
    const { record, version } = await rollBackTo(d.dataDir, req.body.slot, d.log);
    await audit(req.operator, 'ok', `rolled back to slot ${record.active} (${version})`);
    return { active: record.active, version };
  });

  if (d.install) {
    const { agent, settings } = d.install;
    registerUpdatePushRoute(app, Routes.recoveryInstall, { ...settings, status: () => agent.status(), audit: d.audit, log: d.log, send });
  }

  serve(app, Routes.factoryReset, async (req, reply) => {
    if (req.body.confirmUnitId !== d.identity.id) return send(reply, 400, 'confirm-mismatch', 'confirmUnitId is not this unit\'s id: nothing was wiped');
    const who = req.operator;
    // On record before anything goes: a reset that cannot be audited does not happen.
    if (!(await audit(req.operator, 'ok', `factory reset started (identity ${d.identity.fingerprint} kept)`))) return send(reply, 503, 'audit-unavailable', 'the audit log cannot be written: nothing was wiped');
    const wiped = await factoryReset({ dataDir: d.dataDir, wifiConnectionsDir: d.wifiConnectionsDir });
    current = await d.reopenOperators();
    await audit(who, 'ok', `factory reset: wiped ${wiped.join(', ') || 'nothing (already clean)'}`);
    d.log.warn(`factory reset by ${who?.fingerprint ?? '?'}: wiped ${wiped.join(', ')}`);
    return { wiped, unitId: d.identity.id, fingerprint: d.identity.fingerprint };
  });

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
