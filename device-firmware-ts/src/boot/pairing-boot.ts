import { generateKeyPairSync } from 'node:crypto';
import type { AuditLog } from '../identity/audit-log.js';
import type { OperatorStore } from '../identity/operator-store.js';
import { createPairingService, type PairingService } from '../identity/pairing-service.js';
import { createPairingWindow, type PairingWindow } from '../identity/pairing-window.js';
import { createOwnerApprovals, type OwnerApprovals } from '../identity/owner-approvals.js';
import type { UnitIdentity } from '../identity/unit-identity.js';
import { parseIdentityKey, reusedCertificatePem, selfSignedCertificatePem } from '../identity/unit-key.js';
import type { Gpio } from '../hal/gpio.js';
import type { Logger } from '../ops/logger.js';

export interface Pairing {
  service: PairingService;
  window: PairingWindow;
  approvals: OwnerApprovals;
  tls: { keyPem: string; certPem: string };
}

/**
 * The unit's TLS certificate, the network pairing window opened by the pair button (its LED
 * blinking slowly while open, fast while an owner request waits for approval; each open and
 * close audited) and the pairing service behind both channels.
 */
export async function startPairing(o: {
  identity: UnitIdentity;
  operators: OperatorStore;
  audit: AuditLog;
  gpio: Gpio;
  windowS: number;
  log: Logger;
  /** Where the identity key's certificate is kept between boots (none: made at every start). */
  certFile?: string;
}): Promise<Pairing> {
  const { identity, audit, gpio, windowS, log } = o;
  // Without the identity key the API still needs a certificate for discovery: a throw-away
  // key, never persisted and never reported as the unit's fingerprint.
  const tlsKey = identity.key ?? parseIdentityKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  const certPem = identity.key && o.certFile ? await reusedCertificatePem(identity.key, identity.id, o.certFile) : await selfSignedCertificatePem(tlsKey, identity.id);
  const keyPem = tlsKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const windowAudit = (detail: string) =>
    void audit.write({ event: 'pairing-window', outcome: 'ok', operatorFingerprint: null, role: null, via: 'button', detail });
  // The pair LED: an owner request waiting for approval outranks an open window.
  let pendingOwners = 0;
  const showPairing = () => gpio.setLed('pair', pendingOwners > 0 ? 'fast-blink' : window.isOpen() ? 'slow-blink' : 'off');
  const window = createPairingWindow(windowS, {
    onOpen: () => {
      showPairing();
      log.info(`pairing window open for ${windowS} s`);
      windowAudit(`opened for ${windowS} s by the pair button`);
    },
    onClose: (reason) => {
      // After the current task: a window taken by an owner request goes straight to fast-blink.
      queueMicrotask(showPairing);
      log.info(`pairing window closed: ${reason}`);
      windowAudit(`closed: ${reason}`);
    },
  });
  const approvals = createOwnerApprovals((n) => {
    pendingOwners = n;
    showPairing();
  });
  gpio.onPress('pair', () => {
    if (!identity.key) {
      log.warn('pair button pressed, but the identity key is missing or corrupt: pairing stays closed');
      void audit.write({ event: 'pairing-window', outcome: 'refused', operatorFingerprint: null, role: null, via: 'button', detail: 'pair button pressed while the identity is unavailable' });
      return;
    }
    window.open();
  });
  const service = createPairingService({
    unitId: identity.id,
    key: identity.key,
    fingerprint: identity.fingerprint,
    certificatePem: identity.key ? certPem : null,
    operators: o.operators,
    audit,
    window,
    approvals,
  });
  return { service, window, approvals, tls: { keyPem, certPem } };
}
