import { X509Certificate, randomBytes, verify } from 'node:crypto';
import { roleAllows, wifiSerialMessage, type WifiSerialAuth } from '@pitwall/protocol';
import type { AuditLog } from '../../identity/audit-log.js';
import type { OperatorStore } from '../../identity/operator-store.js';
import { fingerprintOf } from '../../identity/unit-key.js';
import type { WifiActor, WifiService } from '../../ops/network/wifi-service.js';

/** What the serial `wifi.*` methods need. */
export interface WifiSerialContext {
  wifi: WifiService;
  operators: OperatorStore;
  audit: AuditLog;
  unitId: string;
  /** True while the unit has no owner and is inside its first-setup window after boot. */
  firstSetupOpen(): boolean;
}

const NONCE_TTL_MS = 60_000;
const MAX_NONCES = 16;

/** A refusal: the message says what would be allowed. */
export class WifiUsbRefused extends Error {}

/**
 * Who may run a serial Wi-Fi call: a paired, active operator whose role allows it, proven by a
 * signature over a single-use nonce (the certificate alone proves nothing: it is public); or,
 * without a signature, anyone while a unit without an owner is in its first-setup window.
 */
export function wifiUsbGate(ctx: WifiSerialContext) {
  const nonces = new Map<string, number>();
  return {
    nonce(): { nonce: string; expiresInS: number } {
      const now = Date.now();
      for (const [n, exp] of nonces) if (exp < now) nonces.delete(n);
      if (nonces.size >= MAX_NONCES) nonces.delete(nonces.keys().next().value!);
      const nonce = randomBytes(16).toString('hex');
      nonces.set(nonce, now + NONCE_TTL_MS);
      return { nonce, expiresInS: NONCE_TTL_MS / 1000 };
    },
    async authorize(auth: WifiSerialAuth | undefined, method: string, change: boolean): Promise<WifiActor> {
      const refuse = async (why: string): Promise<never> => {
        ctx.audit.refuse(`wifi-usb|${method}|${why.slice(0, 40)}`, { event: 'refuse', outcome: 'refused', operatorFingerprint: null, role: null, via: 'usb', detail: `wifi over USB (${method}): ${why}` });
        throw new WifiUsbRefused(`${why}: Wi-Fi setup over USB needs a paired owner or dealer (signing a nonce from wifi.nonce), or a unit without an owner in its first-setup window`);
      };
      if (!auth) {
        if (ctx.firstSetupOpen()) return { fingerprint: null, role: null, name: 'first setup over USB', via: 'usb' };
        return refuse('no operator signature and no first-setup window open');
      }
      const exp = nonces.get(auth.nonce);
      nonces.delete(auth.nonce);
      if (exp === undefined || exp < Date.now()) return refuse('the nonce is unknown, used or expired');
      let fp: string;
      let ok = false;
      try {
        const key = new X509Certificate(auth.certificate).publicKey;
        fp = fingerprintOf(key);
        ok = verify(null, Buffer.from(wifiSerialMessage(ctx.unitId, auth.nonce, method)), key, Buffer.from(auth.signature, 'base64'));
      } catch {
        return refuse('the certificate or signature cannot be read');
      }
      if (!ok) return refuse('the signature does not match');
      const op = ctx.operators.get(fp);
      if (!op || op.revokedAt !== null) return refuse(`key ${fp} is not an active operator of this unit`);
      if (!roleAllows(op.role, change ? 'wifi' : 'wifi-read')) return refuse(`role ${op.role} may not ${change ? 'change' : 'see'} the unit's Wi-Fi`);
      return { fingerprint: op.fingerprint, role: op.role, name: op.name, via: 'usb' };
    },
  };
}
