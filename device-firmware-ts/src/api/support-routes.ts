/**
 * Support mode: GET /v1/support (status), POST /v1/support/on (the owner only: support is
 * opt-in), POST /v1/support/off (anyone who may change the unit: ending support is always safe).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Routes, SUPPORT_MAX_S, supportOn, type SupportOn as SupportOnT } from '@pitwall/protocol';
import { SupportError, type SupportMode } from '../ops/support/support-mode.js';
import { serve } from './table-route.js';

export interface SupportRoutesDeps {
  support: SupportMode;
  send(reply: FastifyReply, status: number, code: string, message: string): void;
}

// start-failed is 409 (the unit cannot do it now, with its reason), not 5xx: companions read a 5xx as "not a unit".
const statusOf: Record<SupportError['code'], number> = { 'bad-duration': 400, 'no-relay': 409, 'audit-unavailable': 503, 'start-failed': 409 };

export function registerSupportRoutes(app: FastifyInstance, d: SupportRoutesDeps): void {
  const fail = (reply: FastifyReply, err: unknown) => {
    if (err instanceof SupportError) return d.send(reply, statusOf[err.code], err.code, err.message);
    throw err;
  };
  serve(app, Routes.supportStatus, async () => d.support.status());

  serve(
    app,
    Routes.supportOn,
    async (req, reply) => {
      const body: unknown = req.body ?? {};
      if (!supportOn.is(body)) return d.send(reply, 400, 'bad-request', `support on takes {"durationS": 1..${SUPPORT_MAX_S}} (whole seconds), nothing changed`);
      const op = req.operator!;
      try {
        return await d.support.turnOn((body as SupportOnT).durationS, { fingerprint: op.fingerprint, role: op.role });
      } catch (err) {
        return fail(reply, err);
      }
    },
    // The body is checked here, not by the server's validator: that one coerces types ("60"
    // would pass as a number).
    { bodyCheckedByHandler: true },
  );

  serve(app, Routes.supportOff, async (req, reply) => {
    const op = req.operator!;
    try {
      return await d.support.turnOff({ fingerprint: op.fingerprint, role: op.role });
    } catch (err) {
      return fail(reply, err);
    }
  });
}
