import { X509Certificate, sign, type KeyObject } from 'node:crypto';
import { challengeMessage, Routes, type Operator, type OwnerRequest, type PairingPending, type PairResult, type Role } from '@pitwall/protocol';
import type { AuditLog } from './audit-log.js';
import type { OperatorStore } from './operator-store.js';
import { MAX_OPERATORS } from './operator-store.js';
import type { PairingWindow } from './pairing-window.js';
import type { OwnerApprovals } from './owner-approvals.js';
import { fingerprintOf } from './unit-key.js';

/** A refused identity operation: an API error code, its HTTP status, and a message for people. */
export class IdentityError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface PairingDeps {
  unitId: string;
  key: KeyObject | null;
  fingerprint: string | null;
  certificatePem: string | null;
  operators: OperatorStore;
  audit: AuditLog;
  window: PairingWindow;
  approvals: OwnerApprovals;
}

export interface PairRequest {
  operatorFingerprint: string;
  name: string;
  role: Role;
  via: Operator['via'];
  /** Where it came from (remote address, or 'usb'): refusals are summarised per source. */
  source?: string;
}

export interface PairingService {
  /** A PairResult, or (a network request to be a further owner) the request waiting for an owner's approval. */
  pair(req: PairRequest): Promise<PairResult | PairingPending>;
  /** Pairing where the operator certificate travels in the request (USB). */
  pairCertificate(pem: string, req: Omit<PairRequest, 'operatorFingerprint'>): Promise<PairResult | PairingPending>;
  /** An owner approves a pending owner request (over its authenticated connection). */
  approve(requestId: string, by: string): Promise<Operator>;
  deny(requestId: string, by: string): Promise<OwnerRequest>;
  pendingOwnerRequests(): OwnerRequest[];
  /** Over the network only non-owners may be revoked; owners, the last one included, over USB. */
  revoke(fingerprint: string, by: string, via: 'usb' | 'network'): Promise<Operator>;
  /** Ed25519 signature (base64) over challengeMessage(unitId, nonce). */
  challenge(nonce: string): string;
}

const unavailable = () =>
  new IdentityError('identity-unavailable', 503, `the unit identity key is missing or corrupt (see ${Routes.status.path} identity); pairing and authenticated requests are unavailable`);

/** Fingerprint of an operator certificate's key. Operator keys: Ed25519, ECDSA, or RSA >= 2048 bits. */
export function operatorCertificateFingerprint(pem: string): string {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw new IdentityError('bad-certificate', 400, `operator certificate is not a valid X.509 PEM certificate: ${(err as Error).message}`);
  }
  const k = cert.publicKey;
  const type = k.asymmetricKeyType;
  const rsaBits = k.asymmetricKeyDetails?.modulusLength ?? 0;
  if (!(type === 'ed25519' || type === 'ec' || (type === 'rsa' && rsaBits >= 2048))) {
    throw new IdentityError('bad-certificate', 400, `operator key type ${type}${type === 'rsa' ? ` (${rsaBits} bits)` : ''} is not accepted; use Ed25519`);
  }
  return fingerprintOf(k);
}

/**
 * Pairing rules, thought through as the attacker on the LAN who watches GET /v1/pairing:
 * - A network pairing takes the window synchronously, before any await: one press, one pairing,
 *   whatever races it. The loser's pairing is refused; the companion shows both fingerprints, so
 *   a person sees whose key was paired.
 * - Over the network an owner is made only on a unit that has none. A further owner's network
 *   request (which also takes the window) waits for an existing owner's approval; over USB
 *   (physical presence) any role may be paired.
 * - While no active owner exists only role owner may pair.
 * - A revoked key stays revoked (pair a new key). An already-paired key asking for its role again
 *   gets the same result (a lost reply can be retried, and a requester learns it was approved);
 *   another role is refused.
 * - A pairing is on record or it did not happen: the operator list is saved, then its audit
 *   record; if that fails the operator is removed again and the pairing fails.
 */
export function createPairingService(d: PairingDeps): PairingService {
  const result = (fp: string, role: Role): PairResult => ({
    unitId: d.unitId,
    unitFingerprint: d.fingerprint!,
    unitCertificate: d.certificatePem!,
    operatorFingerprint: fp,
    role,
  });
  const refuse = (req: Omit<PairRequest, 'operatorFingerprint'> & { operatorFingerprint: string | null }, err: IdentityError): never => {
    d.audit.refuse(`pair|${err.code}|${req.via}|${req.source ?? ''}`, {
      event: 'pair',
      outcome: 'refused',
      operatorFingerprint: req.operatorFingerprint,
      role: req.role,
      via: req.via,
      detail: `${err.code}: ${err.message}${req.source ? ` (from ${req.source})` : ''}`,
    });
    throw err;
  };
  /** Adds the operator, then its audit record; without the record the operator is removed again. */
  const addOnRecord = async (op: { fingerprint: string; name: string; role: Role; via: Operator['via'] }, detail: string): Promise<Operator> => {
    let added: Operator;
    try {
      added = await d.operators.add(op);
    } catch (err) {
      throw new IdentityError('storage-failed', 503, `the operator list could not be saved (${(err as NodeJS.ErrnoException).code ?? 'error'}); nothing was paired`);
    }
    const recorded = await d.audit.write({ event: 'pair', outcome: 'ok', operatorFingerprint: added.fingerprint, role: added.role, via: op.via, detail });
    if (!recorded) {
      await d.operators.remove(added.fingerprint).catch(() => undefined);
      throw new IdentityError('audit-failed', 503, 'the pairing could not be written to the audit log; nothing was paired');
    }
    return added;
  };
  const closed = () =>
    new IdentityError('pairing-closed', 403, 'network pairing is closed: press the pair button on the unit, then pair within the window (or pair over USB)');

  const service: PairingService = {
    async pairCertificate(pem, req) {
      let fp: string;
      try {
        fp = operatorCertificateFingerprint(pem);
      } catch (err) {
        return refuse({ ...req, operatorFingerprint: null }, err as IdentityError);
      }
      return service.pair({ ...req, operatorFingerprint: fp });
    },
    async pair(req) {
      // Every check before the window is claimed is synchronous (no await until the claim).
      if (!d.key || !d.fingerprint || !d.certificatePem) return refuse(req, unavailable());
      if (req.operatorFingerprint === d.fingerprint) {
        return refuse(req, new IdentityError('bad-certificate', 400, "that certificate carries the unit's own key, not an operator key"));
      }
      const existing = d.operators.get(req.operatorFingerprint);
      if (existing?.revokedAt) {
        return refuse(req, new IdentityError('revoked', 403, `operator key ${req.operatorFingerprint} was revoked at ${existing.revokedAt}; pair a new key`));
      }
      if (existing) {
        if (existing.role !== req.role) {
          return refuse(req, new IdentityError('already-paired', 409, `operator key ${req.operatorFingerprint} is already paired as ${existing.role}; the owner can revoke it to pair it again`));
        }
        return result(req.operatorFingerprint, existing.role);
      }
      const hasOwner = d.operators.hasActiveOwner();
      if (req.role !== 'owner' && !hasOwner) {
        return refuse(req, new IdentityError('owner-required', 403, 'this unit has no owner yet: the first operator must pair with role owner'));
      }
      if (d.operators.list().length >= MAX_OPERATORS) {
        return refuse(req, new IdentityError('operator-limit', 409, `the unit keeps at most ${MAX_OPERATORS} operators`));
      }
      if (req.via === 'network') {
        if (!d.window.claim(`used by a pairing request of ${req.operatorFingerprint}`)) return refuse(req, closed());
        if (req.role === 'owner' && hasOwner) {
          const pending = d.approvals.add(req.operatorFingerprint, req.name);
          const recorded = await d.audit.write({
            event: 'pair',
            outcome: 'refused',
            operatorFingerprint: req.operatorFingerprint,
            role: 'owner',
            via: 'network',
            detail: `owner-approval-required: "${req.name}" asked to be an owner; request ${pending.id} waits for an existing owner's approval`,
          });
          if (!recorded) {
            d.approvals.take(pending.id);
            throw new IdentityError('audit-failed', 503, 'the request could not be written to the audit log; ask again');
          }
          return { pending: true, request: pending, unitId: d.unitId, unitFingerprint: d.fingerprint };
        }
      }
      const op = await addOnRecord({ fingerprint: req.operatorFingerprint, name: req.name, role: req.role, via: req.via }, `paired "${req.name}"`);
      return result(op.fingerprint, op.role);
    },
    async approve(id, by) {
      const req = d.approvals.take(id);
      if (!req) throw new IdentityError('not-found', 404, `no pending owner request ${id} (it was answered, or it expired)`);
      if (d.operators.get(req.operatorFingerprint)) {
        throw new IdentityError('already-paired', 409, `operator key ${req.operatorFingerprint} is already on the operator list`);
      }
      if (d.operators.list().length >= MAX_OPERATORS) throw new IdentityError('operator-limit', 409, `the unit keeps at most ${MAX_OPERATORS} operators`);
      return addOnRecord({ fingerprint: req.operatorFingerprint, name: req.operatorName, role: 'owner', via: 'network' }, `paired "${req.operatorName}" as owner: request ${id} approved by ${by}`);
    },
    async deny(id, by) {
      const req = d.approvals.take(id);
      if (!req) throw new IdentityError('not-found', 404, `no pending owner request ${id} (it was answered, or it expired)`);
      await d.audit.write({ event: 'pair', outcome: 'refused', operatorFingerprint: req.operatorFingerprint, role: 'owner', via: 'network', detail: `owner-request-denied: request ${id} of "${req.operatorName}" denied by ${by}` });
      return req;
    },
    pendingOwnerRequests: () => d.approvals.list(),
    async revoke(fp, by, via) {
      const op = d.operators.get(fp);
      if (!op) throw new IdentityError('not-found', 404, `no operator with key ${fp}`);
      if (op.revokedAt === null && op.role === 'owner' && via === 'network') {
        throw new IdentityError('usb-required', 403, 'an owner can be revoked only over USB (physical presence at the unit), never over the network');
      }
      let revoked: Operator;
      try {
        revoked = await d.operators.revoke(fp);
      } catch (err) {
        throw new IdentityError('storage-failed', 503, `the operator list could not be saved (${(err as NodeJS.ErrnoException).code ?? 'error'}); nothing was revoked`);
      }
      // The revocation stands even if its record cannot be written: refusing it would keep a key
      // the owner wants gone.
      await d.audit.write({ event: 'revoke', outcome: 'ok', operatorFingerprint: fp, role: op.role, via, detail: `revoked "${op.name}" by ${by}` });
      return revoked;
    },
    challenge(nonce) {
      if (!d.key) throw unavailable();
      return sign(null, challengeMessage(d.unitId, nonce), d.key).toString('base64');
    },
  };
  return service;
}
