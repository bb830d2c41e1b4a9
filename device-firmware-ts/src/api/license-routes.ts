/**
 * Licensing: GET /v1/license (the state, read access), PUT /v1/license (install a signed licence
 * file) and PUT /v1/license/revocations (apply a signed revocation list), both for the owner and
 * the dealer. A refused file is a LicenseError with its code and sentence, and changes nothing.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { LICENSE_ERROR_STATUS, LicenseError, Routes } from '@pitwall/protocol';
import type { LicenseService } from '../license/license-service.js';
import { serve } from './table-route.js';

export interface LicenseRoutesDeps {
  license: LicenseService;
  send(reply: FastifyReply, status: number, code: string, message: string): void;
}

/** The file's text as the companion sent it: the JSON body, written back without spacing (the form pitwall signs). */
function fileText(body: unknown): string | null {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? JSON.stringify(body) : null;
}

export function registerLicenseRoutes(app: FastifyInstance, d: LicenseRoutesDeps): void {
  const fail = (reply: FastifyReply, err: unknown) => {
    if (err instanceof LicenseError) return d.send(reply, LICENSE_ERROR_STATUS[err.code], err.code, err.message);
    throw err;
  };

  serve(app, Routes.license, async () => {
    await d.license.ready();
    return d.license.refresh();
  });

  // The bodies are checked here (signature first, then the signed payload), not by the server's validator.
  serve(
    app,
    Routes.licenseInstall,
    async (req, reply) => {
      const text = fileText(req.body);
      if (text === null) return d.send(reply, 400, 'unsigned', 'the body is not a licence file (a JSON object, as pitwall license issue writes it); the licence was left as it was');
      await d.license.ready();
      try {
        return await d.license.install(text, { fingerprint: req.operator!.fingerprint, role: req.operator!.role });
      } catch (err) {
        return fail(reply, err);
      }
    },
    { bodyCheckedByHandler: true },
  );

  serve(
    app,
    Routes.licenseRevocations,
    async (req, reply) => {
      const text = fileText(req.body);
      if (text === null) return d.send(reply, 400, 'unsigned', 'the body is not a revocation list file (a JSON object, as pitwall license revoke-list writes it); nothing changed');
      await d.license.ready();
      try {
        return await d.license.applyRevocations(text, { fingerprint: req.operator!.fingerprint, role: req.operator!.role });
      } catch (err) {
        return fail(reply, err);
      }
    },
    { bodyCheckedByHandler: true },
  );
}
