import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAllows, Routes, type Access, type Operator, type Permission } from '@pitwall/protocol';
import type { AuditLog } from '../identity/audit-log.js';
import type { OperatorStore } from '../identity/operator-store.js';
import { fingerprintOf } from '../identity/unit-key.js';
import { createAddressLimiter } from './address-limiter.js';

export type { Access };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    operator?: Operator;
    clientFingerprint?: string | null;
  }
}

export interface AuthDeps {
  operators: OperatorStore;
  audit: AuditLog;
  /** False while the identity key is missing or corrupt: only public routes are served. */
  identityOk: boolean;
  send(reply: FastifyReply, status: number, code: string, message: string): void;
  /** Requests per second (and burst) a source address without a paired key gets on routes that are not public. */
  unauthenticatedRate?: { perS: number; burst: number };
}

/** Enough for a person pairing and retrying; far below what fills a log or a CPU. */
export const UNAUTHENTICATED_RATE = { perS: 10, burst: 40 };

export interface Auth {
  /** Drops the open connections of a revoked key (its live streams end at once). */
  disconnect(fingerprint: string): void;
}

const fpBySocket = new WeakMap<Socket, string | null>();

/**
 * The fingerprint of the key of the client certificate on this TLS connection, computed once
 * per socket (keep-alive requests reuse it). TLS 1.3 has no renegotiation, so it cannot change.
 * The handshake already proved the client holds the private key (CertificateVerify).
 */
export function peerFingerprint(socket: Socket): string | null {
  const cached = fpBySocket.get(socket);
  if (cached !== undefined) return cached;
  let fp: string | null = null;
  const tls = socket as TLSSocket;
  if (typeof tls.getPeerCertificate === 'function') {
    const peer = tls.getPeerCertificate();
    if (peer && peer.raw) {
      try {
        fp = fingerprintOf(new X509Certificate(peer.raw).publicKey);
      } catch {
        fp = null;
      }
    }
  }
  fpBySocket.set(socket, fp);
  return fp;
}

const FORBIDDEN_WHAT: Partial<Record<Permission, string>> = {
  admin: 'administer the unit',
  tracks: "replace the unit's own tracks",
  'wifi-read': "see the unit's Wi-Fi",
  wifi: "change the unit's Wi-Fi",
  update: "update the unit's runtime",
  license: "install the unit's licence or revocation list",
};

function needed(req: FastifyRequest): Access {
  const access = req.routeOptions.config?.access;
  if (access) return access;
  return req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'control';
}

/**
 * onRequest: client certificate -> active operator -> role check. Refusals are audited as
 * summaries per source address and kind (the audit log's refusal file, never its security
 * records). A source without an active paired key is also rate-limited per address on every
 * route that is not public (pairing included): past its bucket it gets 429 and only a count in
 * the summary. Public routes (/v1/info, GET /v1/pairing) are answered from memory and bounded
 * by the server's connection caps instead.
 */
export function registerAuth(app: FastifyInstance, deps: AuthDeps): Auth {
  const rate = deps.unauthenticatedRate ?? UNAUTHENTICATED_RATE;
  const limiter = createAddressLimiter(rate.perS, rate.burst);
  const socketsByFp = new Map<string, Set<Socket>>();
  const track = (fp: string, socket: Socket) => {
    let set = socketsByFp.get(fp);
    if (!set) socketsByFp.set(fp, (set = new Set()));
    if (set.has(socket)) return;
    set.add(socket);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0) socketsByFp.delete(fp);
    });
  };

  app.addHook('onRequest', async (req, reply) => {
    const access = needed(req);
    if (access === 'public') return;
    const route = `${req.method} ${req.routeOptions.url ?? '(no route)'}`;
    const fp = peerFingerprint(req.raw.socket);
    req.clientFingerprint = fp;
    const refuse = (status: number, code: string, message: string, op?: Operator) => {
      deps.audit.refuse(`${code}|${route}|${req.ip}`, {
        event: 'refuse',
        outcome: 'refused',
        operatorFingerprint: fp,
        role: op?.role ?? null,
        via: 'network',
        detail: `${code}: ${route} from ${req.ip}`,
      });
      deps.send(reply, status, code, message);
      return reply;
    };
    if (!deps.identityOk) {
      deps.send(reply, 503, 'identity-unavailable', `the unit identity key is missing or corrupt (see ${Routes.status.path} on the serial port or the unit log); only discovery (${Routes.info.path}, ${Routes.pairingWindow.path}) is served`);
      return reply;
    }
    const paired = fp ? deps.operators.get(fp) : undefined;
    if ((!paired || paired.revokedAt !== null) && !limiter.take(req.ip)) {
      void reply.header('retry-after', String(Math.ceil(1 / rate.perS)));
      return refuse(429, 'rate-limited', `too many requests from ${req.ip} without a paired key; wait and try again`);
    }
    if (!fp) {
      return refuse(401, 'unauthenticated', 'no client certificate: pair this companion with the unit (over USB, or press the pair button and pair over the network), then connect with the paired certificate');
    }
    if (access === 'cert') return;
    const op = paired;
    if (!op) {
      return refuse(401, 'unauthenticated', `client key ${fp} is not paired with this unit; pair it first (over USB, or press the pair button and pair over the network)`);
    }
    if (op.revokedAt !== null) return refuse(403, 'revoked', `operator key ${fp} was revoked at ${op.revokedAt}`, op);
    if (!roleAllows(op.role, access)) {
      return refuse(403, 'forbidden', `role ${op.role} may not ${FORBIDDEN_WHAT[access] ?? 'change the unit'} (${route})`, op);
    }
    req.operator = op;
    track(fp, req.raw.socket);
  });

  return {
    disconnect(fingerprint) {
      for (const s of socketsByFp.get(fingerprint) ?? []) s.destroy();
      socketsByFp.delete(fingerprint);
    },
  };
}
