import { X509Certificate, sign, type KeyObject } from 'node:crypto';
import { challengeMessage, type Operator, type PairResult, type Role } from '@pitwall/protocol';
import type { AuditLog } from './audit-log.js';
import type { OperatorStore } from './operator-store.js';
import { MAX_OPERATORS } from './operator-store.js';
import type { PairingWindow } from './pairing-window.js';
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
}

export interface PairRequest {
  operatorFingerprint: string;
  name: string;
  role: Role;
  via: Operator['via'];
}

export interface PairingService {
  pair(req: PairRequest): Promise<PairResult>;
  /** Pairing where the operator certificate travels in the request (USB). */
  pairCertificate(pem: string, req: Omit<PairRequest, 'operatorFingerprint'>): Promise<PairResult>;
  revoke(fingerprint: string, by: string): Promise<Operator>;
  /** Ed25519 signature (base64) over challengeMessage(unitId, nonce). */
  challenge(nonce: string): string;
}

const unavailable = () =>
  new IdentityError('identity-unavailable', 503, 'the unit identity key is missing or corrupt (see /v1/status identity); pairing and authenticated requests are unavailable');

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
 * Pairing rules. The first operator must be an owner (while no active owner exists only role
 * owner may pair); later pairings may ask for any role. A revoked key stays revoked (pair a new
 * key). Pairing an already-paired key with the same role answers the same result again, so a
 * lost reply can be retried; another role is refused. A network pairing closes the window:
 * one button press, one pairing.
 */
export function createPairingService(d: PairingDeps): PairingService {
  const result = (fp: string, role: Role): PairResult => ({
    unitId: d.unitId,
    unitFingerprint: d.fingerprint!,
    unitCertificate: d.certificatePem!,
    operatorFingerprint: fp,
    role,
  });
  const refuse = async (req: PairRequest, err: IdentityError): Promise<never> => {
    await d.audit.write({ event: 'pair', outcome: 'refused', operatorFingerprint: req.operatorFingerprint, role: req.role, via: req.via, detail: `${err.code}: ${err.message}` });
    throw err;
  };
  const service: PairingService = {
    async pairCertificate(pem, req) {
      let fp: string;
      try {
        fp = operatorCertificateFingerprint(pem);
      } catch (err) {
        await d.audit.write({ event: 'pair', outcome: 'refused', operatorFingerprint: null, role: req.role, via: req.via, detail: (err as Error).message });
        throw err;
      }
      return service.pair({ ...req, operatorFingerprint: fp });
    },
    async pair(req) {
      if (!d.key || !d.fingerprint || !d.certificatePem) return refuse(req, unavailable());
      if (req.via === 'network' && !d.window.isOpen()) {
        return refuse(req, new IdentityError('pairing-closed', 403, 'network pairing is closed: press the pair button on the unit, then pair within the window (or pair over USB)'));
      }
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
        await d.audit.write({ event: 'pair', outcome: 'ok', operatorFingerprint: req.operatorFingerprint, role: req.role, via: req.via, detail: `already paired as "${existing.name}"; answered again` });
        return result(req.operatorFingerprint, existing.role);
      }
      if (req.role !== 'owner' && !d.operators.hasActiveOwner()) {
        return refuse(req, new IdentityError('owner-required', 403, 'this unit has no owner yet: the first operator must pair with role owner'));
      }
      if (d.operators.list().length >= MAX_OPERATORS) {
        return refuse(req, new IdentityError('operator-limit', 409, `the unit keeps at most ${MAX_OPERATORS} operators`));
      }
      const op = await d.operators.add({ fingerprint: req.operatorFingerprint, name: req.name, role: req.role, via: req.via });
      await d.audit.write({ event: 'pair', outcome: 'ok', operatorFingerprint: op.fingerprint, role: op.role, via: req.via, detail: `paired "${op.name}"` });
      if (req.via === 'network') d.window.close('used by a pairing');
      return result(op.fingerprint, op.role);
    },
    async revoke(fp, by) {
      const op = d.operators.get(fp);
      if (!op) throw new IdentityError('not-found', 404, `no operator with key ${fp}`);
      if (op.revokedAt === null && op.role === 'owner' && d.operators.activeOwners() <= 1) {
        throw new IdentityError('last-owner', 409, 'this is the only owner; pair another owner before revoking it');
      }
      const revoked = await d.operators.revoke(fp);
      await d.audit.write({ event: 'revoke', outcome: 'ok', operatorFingerprint: fp, role: op.role, via: 'network', detail: `revoked "${op.name}" by ${by}` });
      return revoked;
    },
    challenge(nonce) {
      if (!d.key) throw unavailable();
      return sign(null, challengeMessage(d.unitId, nonce), d.key).toString('base64');
    },
  };
  return service;
}
