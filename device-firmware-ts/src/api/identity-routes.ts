import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { AUDIT_PAGE_MAX, Fingerprint, Routes } from '@pitwall/protocol';
import type { AuditLog } from '../identity/audit-log.js';
import type { PairingService } from '../identity/pairing-service.js';
import type { OperatorStore } from '../identity/operator-store.js';
import type { PairingWindow as Window } from '../identity/pairing-window.js';
import type { Auth } from './auth-hook.js';
import { serve } from './table-route.js';

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

/** Pairing, operators, audit and challenge routes (the auth hook enforces each route's access, from the table). */
export function registerIdentityRoutes(app: FastifyInstance, d: IdentityRouteDeps): void {
  serve(app, Routes.pairingWindow, async () => d.window.state());

  serve(app, Routes.pair, async (req, reply) => {
    const out = await d.pairing.pair({ operatorFingerprint: req.clientFingerprint!, name: req.body.operatorName, role: req.body.role, via: 'network', source: req.ip });
    if ('pending' in out) reply.code(202);
    return out;
  });

  // Further owners asked for over the network wait here for an existing owner.
  const by = (req: { operator?: { name: string; fingerprint: string } }) => (req.operator ? `"${req.operator.name}" (${req.operator.fingerprint})` : 'unknown');
  serve(app, Routes.ownerRequests, async () => ({ requests: d.pairing.pendingOwnerRequests() }));
  serve(app, Routes.approveOwnerRequest, async (req) => d.pairing.approve(req.params.id, by(req)));
  serve(app, Routes.denyOwnerRequest, async (req) => d.pairing.deny(req.params.id, by(req)));

  serve(app, Routes.operators, async () => ({ operators: d.operators.list() }));

  serve(app, Routes.revokeOperator, async (req, reply) => {
    const fp = normaliseFingerprint(req.params.fingerprint);
    if (!new RegExp(Fingerprint.pattern!).test(fp)) {
      return reply.code(400).send({ error: { code: 'bad-request', message: `not a key fingerprint: ${fp.slice(0, 80)} (expected SHA256:<43 base64 characters>, URL-encoded)` } });
    }
    const op = await d.pairing.revoke(fp, by(req), 'network');
    reply.raw.once('finish', () => d.auth().disconnect(fp));
    return op;
  });

  // Owner only, like the operator list: the records name operators, their keys and roles.
  serve(app, Routes.audit, async (req, reply) => {
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

  serve(app, Routes.challenge, async (req) => ({ signature: d.pairing.challenge(req.body.nonce) }));
}
