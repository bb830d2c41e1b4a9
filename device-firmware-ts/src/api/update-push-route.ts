import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Routes } from '@pitwall/protocol';
import type { BundleReceiver } from '../update/bundle-receiver.js';
import { serve } from './table-route.js';

/** The routes that take a bundle: the runtime's push and recovery mode's install. */
export type BundleUploadRoute = typeof Routes.pushUpdate | typeof Routes.recoveryInstall;

export type SendError = (reply: FastifyReply, status: number, code: string, message: string) => void;

/**
 * A bundle upload (POST /v1/update in the runtime, /v1/recovery/install in recovery mode): the
 * request body, a signed bundle, streams straight into the receiver (verified while it is
 * staged; nothing reaches the slot unverified). A refusal is an ApiError with the bundle's code.
 */
export function registerUpdatePushRoute(app: FastifyInstance, route: BundleUploadRoute, receiver: BundleReceiver, send: SendError): void {
  // Scoped: only this route takes a raw octet stream, never buffered by the server.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    serve(
      scope,
      route,
      async (req, reply) => {
        const body = req.body as unknown;
        if (!body || typeof (body as Readable).pipe !== 'function') {
          return send(reply, 415, 'unsupported-media-type', 'send the bundle as the request body with content-type application/octet-stream');
        }
        const out = await receiver.receive(body as Readable, { operatorFingerprint: req.operator?.fingerprint ?? null, role: req.operator?.role ?? null, via: 'network' });
        return out.ok ? out.status : send(reply, out.httpStatus, out.code, out.message);
      },
      { bodyCheckedByHandler: true },
    );
  });
}
