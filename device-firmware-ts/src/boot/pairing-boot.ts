import { generateKeyPairSync } from 'node:crypto';
import type { AuditLog } from '../identity/audit-log.js';
import type { OperatorStore } from '../identity/operator-store.js';
import { createPairingService, type PairingService } from '../identity/pairing-service.js';
import { createPairingWindow, type PairingWindow } from '../identity/pairing-window.js';
import type { UnitIdentity } from '../identity/unit-identity.js';
import { parseIdentityKey, selfSignedCertificatePem } from '../identity/unit-key.js';
import type { Gpio } from '../hal/gpio.js';
import type { Logger } from '../ops/logger.js';

export interface Pairing {
  service: PairingService;
  window: PairingWindow;
  tls: { keyPem: string; certPem: string };
}

/**
 * The unit's TLS certificate, the network pairing window opened by the pair button (its LED
 * lit while open, each open and close audited) and the pairing service behind both channels.
 */
export async function startPairing(o: { identity: UnitIdentity; operators: OperatorStore; audit: AuditLog; gpio: Gpio; windowS: number; log: Logger }): Promise<Pairing> {
  const { identity, audit, gpio, windowS, log } = o;
  // Without the identity key the API still needs a certificate for discovery: a throw-away
  // key, never persisted and never reported as the unit's fingerprint.
  const tlsKey = identity.key ?? parseIdentityKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  const certPem = await selfSignedCertificatePem(tlsKey, identity.id);
  const keyPem = tlsKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const windowAudit = (detail: string) =>
    void audit.write({ event: 'pairing-window', outcome: 'ok', operatorFingerprint: null, role: null, via: 'button', detail });
  const window = createPairingWindow(windowS, {
    onOpen: () => {
      gpio.setLed('pair', true);
      log.info(`pairing window open for ${windowS} s`);
      windowAudit(`opened for ${windowS} s by the pair button`);
    },
    onClose: (reason) => {
      gpio.setLed('pair', false);
      log.info(`pairing window closed: ${reason}`);
      windowAudit(`closed: ${reason}`);
    },
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
  });
  return { service, window, tls: { keyPem, certPem } };
}
