import type { FastifyInstance, FastifyReply } from 'fastify';
import { FEATURE_NOT_LICENSED, featureRefusal, type LicenseFeature, type LiveLap, type LiveTiming } from '@pitwall/protocol';
import type { LicenseService } from '../license/license-service.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The licence feature the route needs (from the route table). */
    feature?: LicenseFeature;
  }
}

/**
 * Refuses a route whose table entry names a feature the licence does not include: 403
 * feature-not-licensed, "licence does not include live-timing". Registered after the auth hook,
 * so an unpaired key is told 401 before anything about the licence. Routes without a feature
 * (recording, logs, health, update, recovery, licence, status, pairing) are never touched.
 */
export function registerLicenseGate(app: FastifyInstance, license: LicenseService, send: (reply: FastifyReply, status: number, code: string, message: string) => void): void {
  if (!license.enforced) return;
  app.addHook('onRequest', async (req, reply) => {
    const feature = req.routeOptions.config?.feature;
    if (!feature || reply.sent) return;
    await license.ready();
    if (license.allows(feature)) return;
    send(reply, 403, FEATURE_NOT_LICENSED, featureRefusal(feature));
    return reply;
  });
}

/** A timing event without its sector fields, for a licence without `sectors`. */
export const timingWithoutSectors = (t: LiveTiming): LiveTiming => ({ ...t, sector: 0, sectorElapsedMs: null });
/** A lap event without its sector splits, for a licence without `sectors`. */
export const lapWithoutSectors = (l: LiveLap): LiveLap => ({ ...l, sectorsMs: [] });
