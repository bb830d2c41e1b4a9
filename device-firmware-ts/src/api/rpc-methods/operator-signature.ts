import { X509Certificate, randomBytes, verify } from 'node:crypto';
import { roleAllows, serialCallMessage, type Operator, type Permission, type SerialAuthScope, type SerialNonce, type SerialOperatorAuth } from '@pitwall/protocol';
import type { AuditLog } from '../../identity/audit-log.js';
import type { OperatorStore } from '../../identity/operator-store.js';
import { fingerprintOf } from '../../identity/unit-key.js';

export interface OperatorSignatureOptions {
  scope: SerialAuthScope;
  operators: OperatorStore;
  audit: AuditLog;
  unitId: string;
  /** Added to every refusal: what would have been allowed. */
  needs: string;
  /** Why `role` is refused `permission`, in the scope's words. */
  roleRefusal: (role: Operator['role'], permission: Permission) => string;
}

const NONCE_TTL_MS = 60_000;
const MAX_NONCES = 16;

/** A refusal: the message says why and what would be allowed; it has been audited. */
export class SerialAuthRefused extends Error {
  constructor(
    message: string,
    /** The HTTP API's code for the same refusal: unauthorized (who are you) or forbidden (your role may not). */
    readonly code: 'unauthorized' | 'forbidden',
  ) {
    super(message);
  }
}

/**
 * Proof of a paired operator on the serial port, which has no TLS: a signature by an active
 * operator's key over serialCallMessage(scope, unitId, nonce, method), the nonce single-use and
 * at most a minute old, the operator's role allowing `permission`. Every refusal is audited
 * (summarised by the refusal log).
 */
export function operatorSignatureGate(o: OperatorSignatureOptions) {
  const nonces = new Map<string, number>();
  const refuse = (method: string, why: string, code: SerialAuthRefused['code']): never => {
    o.audit.refuse(`${o.scope}-usb|${method}|${why.slice(0, 40)}`, { event: 'refuse', outcome: 'refused', operatorFingerprint: null, role: null, via: 'usb', detail: `${o.scope} over USB (${method}): ${why}` });
    throw new SerialAuthRefused(`${why}: ${o.needs}`, code);
  };
  return {
    nonce(): SerialNonce {
      const now = Date.now();
      for (const [n, exp] of nonces) if (exp < now) nonces.delete(n);
      if (nonces.size >= MAX_NONCES) nonces.delete(nonces.keys().next().value!);
      const nonce = randomBytes(16).toString('hex');
      nonces.set(nonce, now + NONCE_TTL_MS);
      return { nonce, expiresInS: NONCE_TTL_MS / 1000 };
    },
    /** The operator who signed this call, or a SerialAuthRefused. */
    authorize(auth: SerialOperatorAuth, method: string, permission: Permission): Operator {
      const exp = nonces.get(auth.nonce);
      nonces.delete(auth.nonce);
      if (exp === undefined || exp < Date.now()) return refuse(method, 'the nonce is unknown, used or expired', 'unauthorized');
      let fp: string;
      let ok = false;
      try {
        const key = new X509Certificate(auth.certificate).publicKey;
        fp = fingerprintOf(key);
        ok = verify(null, Buffer.from(serialCallMessage(o.scope, o.unitId, auth.nonce, method)), key, Buffer.from(auth.signature, 'base64'));
      } catch {
        return refuse(method, 'the certificate or signature cannot be read', 'unauthorized');
      }
      if (!ok) return refuse(method, 'the signature does not match', 'unauthorized');
      const op = o.operators.get(fp);
      if (!op || op.revokedAt !== null) return refuse(method, `key ${fp} is not an active operator of this unit`, 'unauthorized');
      if (!roleAllows(op.role, permission)) return refuse(method, o.roleRefusal(op.role, permission), 'forbidden');
      return op;
    },
  };
}
