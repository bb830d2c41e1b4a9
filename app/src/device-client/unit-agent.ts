import https from 'node:https';
import { connect, createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { fingerprintOfKey } from '../identity/fingerprint.js';

/** The key a unit presented in the TLS handshake of one connection. */
export interface PresentedKey {
  fingerprint: string;
  /** DER certificate as sent by the unit. */
  certificate: Buffer;
}

/** Decides whether a connection may carry requests; returns the refusal, or null to go on. */
export type PeerCheck = (presented: PresentedKey, target: string) => Error | null;

const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * One TLS context for every connection without a client certificate (discovery probes, public
 * requests). tls.connect makes a new one per connection otherwise, loading the root CA store
 * each time (unused here: trust is the key pin): twenty units probed in one timer tick held the
 * main thread for seconds.
 */
let publicContext: SecureContext | undefined;
const sharedPublicContext = (): SecureContext => (publicContext ??= createSecureContext({ minVersion: 'TLSv1.3' }));
const presentedBySocket = new WeakMap<object, PresentedKey>();

/** What the peer of a socket created by a UnitAgent presented. */
export function presentedKeyOf(socket: object | null | undefined): PresentedKey | undefined {
  return socket ? presentedBySocket.get(socket) : undefined;
}

export interface UnitAgentOptions {
  /** Operator client certificate and key (mutual TLS); absent for public (discovery) requests. */
  clientContext?: SecureContext;
  /** Runs on every new connection, after the handshake and before the connection is handed to any request. */
  check?: PeerCheck;
  /** Called for every new verified connection (e.g. to drop a proof cached for older ones). */
  onConnection?: (socket: TLSSocket, presented: PresentedKey, target: string) => void;
  keepAlive?: boolean;
  maxSockets?: number;
}

/**
 * HTTPS agent for unit links. Units present self-signed certificates, so CA validation is off
 * and trust is the key pin instead: each new TLS connection is held back until its peer key has
 * been read (and, for paired units, compared with the pin). A refused connection never carries
 * a request: the request's socket callback only fires after the check. No TLS session resumption
 * (a resumed session has no certificate to check).
 */
export class UnitAgent extends https.Agent {
  constructor(private readonly unitOpts: UnitAgentOptions = {}) {
    super({ keepAlive: unitOpts.keepAlive ?? false, maxSockets: unitOpts.maxSockets ?? Infinity, maxCachedSessions: 0, timeout: 30_000 });
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const cb = callback ?? (() => undefined);
    const socket = connect({
      host: options.host ?? undefined,
      port: Number(options.port),
      servername: undefined,
      minVersion: 'TLSv1.3',
      rejectUnauthorized: false,
      secureContext: this.unitOpts.clientContext ?? sharedPublicContext(),
    });
    let done = false;
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      if (err) {
        socket.destroy();
        cb(err, socket);
      } else {
        cb(null, socket);
      }
    };
    socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => finish(Object.assign(new Error('no TLS handshake within 10 s'), { code: 'ETIMEDOUT' })));
    socket.once('error', (err) => finish(err));
    socket.once('close', () => finish(Object.assign(new Error('the connection closed during the TLS handshake'), { code: 'ECONNRESET' })));
    socket.once('secureConnect', () => {
      let presented: PresentedKey;
      try {
        const raw = socket.getPeerCertificate(false)?.raw;
        if (!raw || raw.length === 0) throw new Error('no certificate');
        const cert = new X509Certificate(raw);
        presented = { fingerprint: fingerprintOfKey(cert.publicKey), certificate: Buffer.from(raw) };
      } catch {
        finish(Object.assign(new Error('the unit presented no usable certificate'), { code: 'EPROTO' }));
        return;
      }
      presentedBySocket.set(socket, presented);
      const host = String(options.host ?? '');
      const target = host.includes(':') ? `[${host}]:${String(options.port)}` : `${host}:${String(options.port)}`;
      const refusal = this.unitOpts.check?.(presented, target) ?? null;
      if (refusal) {
        finish(refusal);
        return;
      }
      socket.setTimeout(0);
      this.unitOpts.onConnection?.(socket, presented, target);
      finish(null);
    });
    return undefined;
  }
}
