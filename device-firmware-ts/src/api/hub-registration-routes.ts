/**
 * Registration with a hub: GET /v1/hub/registration (read), POST /v1/hub/registration-request
 * and PUT /v1/hub/registration (the owner's and the dealer's `hub` permission). A refusal is a
 * HubRegistrationError with its code and sentence, and keeps nothing.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Routes } from '@pitwall/protocol';
import { HubRegistrationError, type HubRegistrations } from '../identity/hub-registrations.js';
import { serve } from './table-route.js';

export interface HubRegistrationRoutesDeps {
  registrations: HubRegistrations;
  send(reply: FastifyReply, status: number, code: string, message: string): void;
}

export function registerHubRegistrationRoutes(app: FastifyInstance, d: HubRegistrationRoutesDeps): void {
  const fail = (reply: FastifyReply, err: unknown) => {
    if (err instanceof HubRegistrationError) return d.send(reply, err.status, err.code, err.message);
    throw err;
  };
  serve(app, Routes.hubRegistration, async () => d.registrations.view());
  serve(app, Routes.hubRegistrationRequest, async (req, reply) => {
    try {
      return await d.registrations.sign(req.body, req.operator!);
    } catch (err) {
      return fail(reply, err);
    }
  });
  serve(app, Routes.hubRegistrationStore, async (req, reply) => {
    try {
      return await d.registrations.store(req.body, req.operator!);
    } catch (err) {
      return fail(reply, err);
    }
  });
}
