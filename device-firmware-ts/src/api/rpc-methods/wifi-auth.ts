import type { WifiSerialAuth } from '@pitwall/protocol';
import type { AuditLog } from '../../identity/audit-log.js';
import type { OperatorStore } from '../../identity/operator-store.js';
import type { WifiActor, WifiService } from '../../ops/network/wifi-service.js';
import { operatorSignatureGate, SerialAuthRefused } from './operator-signature.js';

/** What the serial `wifi.*` methods need. */
export interface WifiSerialContext {
  wifi: WifiService;
  operators: OperatorStore;
  audit: AuditLog;
  unitId: string;
  /** True while the unit has no owner and is inside its first-setup window after boot. */
  firstSetupOpen(): boolean;
}

/** A refusal: the message says what would be allowed. */
export class WifiUsbRefused extends Error {}

const NEEDS = 'Wi-Fi setup over USB needs a paired owner or dealer (signing a nonce from wifi.nonce), or a unit without an owner in its first-setup window';

/**
 * Who may run a serial Wi-Fi call: a paired, active operator whose role allows it, proven by a
 * signature over a single-use nonce (operatorSignatureGate); or, without a signature, anyone
 * while a unit without an owner is in its first-setup window.
 */
export function wifiUsbGate(ctx: WifiSerialContext) {
  const gate = operatorSignatureGate({ scope: 'wifi', operators: ctx.operators, audit: ctx.audit, unitId: ctx.unitId,
    needs: NEEDS,
    roleRefusal: (role, permission) => `role ${role} may not ${permission === 'wifi' ? 'change' : 'see'} the unit's Wi-Fi`,
  });
  return {
    nonce: () => gate.nonce(),
    async authorize(auth: WifiSerialAuth | undefined, method: string, change: boolean): Promise<WifiActor> {
      if (!auth) {
        if (ctx.firstSetupOpen()) return { fingerprint: null, role: null, name: 'first setup over USB', via: 'usb' };
        ctx.audit.refuse(`wifi-usb|${method}|no signature`, { event: 'refuse', outcome: 'refused', operatorFingerprint: null, role: null, via: 'usb', detail: `wifi over USB (${method}): no operator signature and no first-setup window open` });
        throw new WifiUsbRefused(`no operator signature and no first-setup window open: ${NEEDS}`);
      }
      try {
        const op = gate.authorize(auth, method, change ? 'wifi' : 'wifi-read');
        return { fingerprint: op.fingerprint, role: op.role, name: op.name, via: 'usb' };
      } catch (err) {
        if (err instanceof SerialAuthRefused) throw new WifiUsbRefused(err.message);
        throw err;
      }
    },
  };
}
