import { readFileSync } from 'node:fs';
import type { Server } from 'node:net';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface ConnectionLimits {
  /** Open connections at most; kept well below the file limit (see connectionLimitsFor). */
  maxConnections: number;
  /** Connections not (yet) proven to carry a paired key, per source address. */
  maxUnprovenPerAddress: number;
  /** An unproven connection idle this long after its handshake is closed. */
  unprovenIdleMs: number;
}

/** The soft RLIMIT_NOFILE of this process (Infinity when unknown or unlimited). */
export function fileLimit(): number {
  try {
    const line = /^Max open files\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const n = Number(line?.[1]);
    return Number.isFinite(n) && n > 0 ? n : Infinity;
  } catch {
    return Infinity;
  }
}

/**
 * Limits for a process allowed `nofile` descriptors: at most half of them for API connections,
 * the other half left to the session recorder, the logger, the audit log, health, serial, gpio
 * and mDNS (a few dozen), so a connection flood never takes the descriptor a fix is written to.
 */
export function connectionLimitsFor(nofile = fileLimit()): ConnectionLimits {
  return {
    maxConnections: Math.max(8, Math.min(1024, Math.floor(nofile / 2))),
    maxUnprovenPerAddress: 64,
    unprovenIdleMs: 10_000,
  };
}

export interface ConnectionGuard {
  readonly limits: ConnectionLimits;
  /** Connections open now, and how many of them carry a paired key. */
  stats(): { open: number; proven: number };
}

/**
 * Caps the API server's connections. A connection is unproven until its TLS handshake shows an
 * active paired key (`isPaired`); unproven ones are capped per source address and closed when
 * idle. At the total cap a new connection evicts the oldest unproven one: a flood of idle or
 * slow strangers (which is all a LAN attacker without a key can open) never locks a paired
 * operator out; only when every connection is a paired operator's is the newcomer refused.
 */
export function guardConnections(server: Server, limits: ConnectionLimits, isPaired: (tls: TLSSocket) => boolean): ConnectionGuard {
  // Insertion order is age: the first unproven entry is the oldest.
  const unproven = new Map<Socket, string>();
  const perAddress = new Map<string, number>();
  let open = 0;
  const forget = (raw: Socket) => {
    const addr = unproven.get(raw);
    if (addr === undefined) return;
    unproven.delete(raw);
    const n = (perAddress.get(addr) ?? 1) - 1;
    if (n > 0) perAddress.set(addr, n);
    else perAddress.delete(addr);
  };
  // Node's own cap, a backstop past ours (ours evicts; Node's refuses).
  server.maxConnections = limits.maxConnections + 16;
  server.on('connection', (raw: Socket) => {
    const addr = raw.remoteAddress ?? 'unknown';
    if ((perAddress.get(addr) ?? 0) >= limits.maxUnprovenPerAddress) {
      raw.destroy();
      return;
    }
    if (open >= limits.maxConnections) {
      const oldest = unproven.keys().next().value;
      if (!oldest) {
        raw.destroy();
        return;
      }
      forget(oldest);
      oldest.destroy();
    }
    open++;
    unproven.set(raw, addr);
    perAddress.set(addr, (perAddress.get(addr) ?? 0) + 1);
    raw.once('close', () => {
      open--;
      forget(raw);
    });
  });
  server.on('secureConnection', (tls: TLSSocket) => {
    const raw = (tls as TLSSocket & { _parent?: Socket })._parent ?? tls;
    if (isPaired(tls)) {
      forget(raw);
      return;
    }
    tls.setTimeout(limits.unprovenIdleMs, () => tls.destroy());
  });
  return { limits, stats: () => ({ open, proven: open - unproven.size }) };
}
