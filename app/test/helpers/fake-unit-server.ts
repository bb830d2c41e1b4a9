import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, webcrypto, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { DeviceInfo } from '@pitwall/protocol';
import { createSelfSignedCertificate } from '../../src/identity/operator-certificate.js';
import { fingerprintOfKey } from '../../src/identity/fingerprint.js';
import { fakeRoute, notFound, RECOVERY_ROUTES_MISSING, type MissingRoutes } from '../../../testbed/fake-routes.js';

/** An impostor never proves the unit's key, so it serves nothing past discovery and the challenge. */
const IMPOSTOR: MissingRoutes = { status: 'an impostor: nothing authenticated is ever asked of it (the tests check so)' };
export const FAKE_UNIT_MISSING: MissingRoutes = {
  ...IMPOSTOR,
  live: IMPOSTOR.status,
  pair: 'network pairing is tested against the sim unit; an impostor is met after pairing',
  ownerRequests: IMPOSTOR.status,
  approveOwnerRequest: IMPOSTOR.status,
  denyOwnerRequest: IMPOSTOR.status,
  operators: IMPOSTOR.status,
  revokeOperator: IMPOSTOR.status,
  audit: IMPOSTOR.status,
  health: IMPOSTOR.status,
  crashes: IMPOSTOR.status,
  crash: IMPOSTOR.status,
  confirmCrashes: IMPOSTOR.status,
  logBoots: IMPOSTOR.status,
  logs: IMPOSTOR.status,
  confirmLogs: IMPOSTOR.status,
  sessions: IMPOSTOR.status,
  startSession: IMPOSTOR.status,
  stopSession: IMPOSTOR.status,
  sessionFile: IMPOSTOR.status,
  confirmSession: IMPOSTOR.status,
  deleteSession: IMPOSTOR.status,
  ownTracks: IMPOSTOR.status,
  pushOwnTracks: IMPOSTOR.status,
  update: IMPOSTOR.status,
  pushUpdate: IMPOSTOR.status,
  supportStatus: IMPOSTOR.status,
  supportOn: IMPOSTOR.status,
  supportOff: IMPOSTOR.status,
  wifiStatus: IMPOSTOR.status,
  wifiNetworks: IMPOSTOR.status,
  wifiProfiles: IMPOSTOR.status,
  addWifiProfile: IMPOSTOR.status,
  removeWifiProfile: IMPOSTOR.status,
  wifiPriority: IMPOSTOR.status,
  connectWifi: IMPOSTOR.status,
  wifiMode: IMPOSTOR.status,
  license: IMPOSTOR.status,
  licenseInstall: IMPOSTOR.status,
  licenseRevocations: IMPOSTOR.status,
  hubRegistration: IMPOSTOR.status,
  hubRegistrationRequest: IMPOSTOR.status,
  hubRegistrationStore: IMPOSTOR.status,
  ...RECOVERY_ROUTES_MISSING,
};

/**
 * A stand-in for a unit that must not be trusted: HTTPS with its own certificate, the public
 * endpoints of a unit claiming `info.id`, and a log of every request it received. With
 * `badSignature`, it answers challenges with a signature by another key.
 */
export interface FakeUnit {
  port: number;
  fingerprint: string;
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeUnit(opts: { info: Omit<DeviceInfo, 'fingerprint'>; key?: KeyObject; port?: number; badSignature?: boolean }): Promise<FakeUnit> {
  const key = opts.key ?? generateKeyPairSync('ed25519').privateKey;
  const alg = { name: 'Ed25519' };
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, alg, true, ['sign']);
  const jwk = await webcrypto.subtle.exportKey('jwk', privateKey);
  const publicKey = await webcrypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, alg, true, ['verify']);
  const cert = await createSelfSignedCertificate({ privateKey, publicKey }, opts.info.id);
  const fingerprint = fingerprintOfKey(createPublicKey(key));
  const requests: string[] = [];
  const other = generateKeyPairSync('ed25519').privateKey;
  const server: Server = createServer(
    { key: key.export({ type: 'pkcs8', format: 'pem' }), cert, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' },
    (req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const route = fakeRoute(req)?.key;
      if (route === 'info') return send(200, { ...opts.info, fingerprint });
      if (route === 'pairingWindow') return send(200, { open: false, closesInS: null });
      if (route === 'challenge') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const { nonce } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { nonce: string };
          const signer = opts.badSignature ? other : key;
          const message = new TextEncoder().encode(`pitwall-challenge-v1\n${opts.info.id}\n${nonce}`);
          send(200, { signature: sign(null, message, signer).toString('base64') });
        });
        return;
      }
      notFound(res);
    },
  );
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    fingerprint,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function readUnitKey(pem: string): KeyObject {
  return createPrivateKey(pem);
}
