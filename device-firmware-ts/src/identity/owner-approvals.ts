import { randomBytes } from 'node:crypto';
import type { OwnerRequest } from '@pitwall/protocol';

/** Pending owner requests kept at once (each took a press of the pair button). */
export const MAX_OWNER_REQUESTS = 4;
export const OWNER_REQUEST_TTL_MS = 10 * 60_000;

export interface OwnerApprovals {
  /** Records a request; the oldest pending one is dropped when MAX_OWNER_REQUESTS are pending. */
  add(operatorFingerprint: string, operatorName: string): OwnerRequest;
  /** Removes and returns the request (undefined if unknown or expired). */
  take(id: string): OwnerRequest | undefined;
  /** The pending request of this key, if any. */
  forKey(operatorFingerprint: string): OwnerRequest | undefined;
  list(): OwnerRequest[];
  dispose(): void;
}

/**
 * Owner requests waiting for an existing owner's approval, in memory only: a reboot forgets
 * them (the requester asks again with another press). `onChange(n)` reports the pending count,
 * for the unit's LED.
 */
export function createOwnerApprovals(onChange: (pending: number) => void, ttlMs = OWNER_REQUEST_TTL_MS): OwnerApprovals {
  const byId = new Map<string, { req: OwnerRequest; timer: NodeJS.Timeout }>();
  const drop = (id: string) => {
    const e = byId.get(id);
    if (!e) return undefined;
    clearTimeout(e.timer);
    byId.delete(id);
    onChange(byId.size);
    return e.req;
  };
  return {
    add(operatorFingerprint, operatorName) {
      for (const [id, e] of byId) if (e.req.operatorFingerprint === operatorFingerprint) drop(id);
      if (byId.size >= MAX_OWNER_REQUESTS) drop(byId.keys().next().value!);
      const now = Date.now();
      const req: OwnerRequest = {
        id: randomBytes(8).toString('hex'),
        operatorFingerprint,
        operatorName,
        requestedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + ttlMs).toISOString(),
      };
      const timer = setTimeout(() => drop(req.id), ttlMs);
      timer.unref();
      byId.set(req.id, { req, timer });
      onChange(byId.size);
      return req;
    },
    take: (id) => drop(id),
    forKey: (fp) => [...byId.values()].find((e) => e.req.operatorFingerprint === fp)?.req,
    list: () => [...byId.values()].map((e) => e.req),
    dispose() {
      for (const e of byId.values()) clearTimeout(e.timer);
      byId.clear();
    },
  };
}
