import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { BundleError, type BundleErrorCode, type Routes, type UpdateStatus } from '@pitwall/protocol';
import type { AuditLog } from '../identity/audit-log.js';
import type { Logger } from '../ops/logger.js';
import type { KeyListStore } from '../update/key-list-store.js';
import type { UpdateSource } from '../update/update-state-runner.js';
import { bundleUpdateSource } from '../update/verify-update-source.js';
import type { UnitFacts } from '../update/verify-policy.js';
import { serve } from './table-route.js';

export interface UpdatePushDeps {
  /** Runs an update (the UpdateAgent's run): throws an error with code `update-busy` while one is under way. */
  run(source: UpdateSource): Promise<void>;
  status(): Promise<UpdateStatus>;
  /** The unit's trusted vendor keys; rejects (with a BundleError) when they cannot be read. */
  keys(): Promise<KeyListStore>;
  /** The unit's id, model and installed version, as bundles are checked against them. */
  unit(): UnitFacts | Promise<UnitFacts>;
  capacityBytes: number;
  deadlineMs: number;
  idleMs: number;
  audit: AuditLog;
  log: Logger;
  send(reply: FastifyReply, status: number, code: string, message: string): void;
}

/** The HTTP status of a refused bundle: too big 413, too slow 408, the rest the sender's bundle (400). */
function statusOf(code: BundleErrorCode | string): number {
  if (code === 'too-large' || code === 'manifest-too-large') return 413;
  if (code === 'deadline') return 408;
  if (code === 'install-failed') return 500;
  return 400;
}

/** The routes that take a bundle: the runtime's push and recovery mode's install. */
export type BundleUploadRoute = typeof Routes.pushUpdate | typeof Routes.recoveryInstall;

/**
 * A bundle upload (POST /v1/update in the runtime, /v1/recovery/install in recovery mode): the
 * request body, a signed bundle, streams straight into the update agent (verified while it is
 * staged; nothing reaches the slot unverified). One push at a time: a second, or one while a
 * slot is on trial, gets 409. Every install and refusal is an audit record, with the operator
 * who pushed it.
 */
export function registerUpdatePushRoute(app: FastifyInstance, route: BundleUploadRoute, d: UpdatePushDeps): void {
  let pushing = false;
  // Scoped: only this route takes a raw octet stream, never buffered by the server.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    serve(
      scope,
      route,
      async (req, reply) => {
        const body = req.body as unknown;
        if (!body || typeof (body as Readable).pipe !== 'function') {
          return d.send(reply, 415, 'unsupported-media-type', 'send the bundle as the request body with content-type application/octet-stream');
        }
        const who = { operatorFingerprint: req.operator?.fingerprint ?? null, role: req.operator?.role ?? null, via: 'network' as const };
        const audit = (outcome: 'ok' | 'refused' | 'error', detail: string) => d.audit.write({ event: 'update', outcome, ...who, detail });
        if (pushing) return d.send(reply, 409, 'update-busy', 'another bundle is being pushed to this unit; wait for it to finish');
        pushing = true;
        let source: ReturnType<typeof bundleUpdateSource> | null = null;
        try {
          const keys = await d.keys();
          source = bundleUpdateSource({ open: () => body as Readable, keys, unit: await d.unit(), capacityBytes: d.capacityBytes, deadlineMs: d.deadlineMs, idleMs: d.idleMs });
          await d.run(source);
        } catch (err) {
          const e = err as Error & { code?: string };
          (body as Readable).resume();
          if (e.code === 'update-busy') {
            await audit('refused', `push refused: ${e.message}`);
            return d.send(reply, 409, 'update-busy', `${e.message}; try again once it has finished`);
          }
          if (e instanceof BundleError) {
            await audit('refused', `bundle refused (${e.code}): ${e.message}`);
            return d.send(reply, statusOf(e.code), e.code, `the bundle was refused: ${e.message}`);
          }
          d.log.error(`update push failed: ${e.message}`);
          await audit('error', `install failed: ${e.message}`);
          return d.send(reply, 500, 'install-failed', `the bundle could not be installed: ${e.message}`);
        } finally {
          pushing = false;
        }
        const v = source.verified();
        await audit('ok', `installed runtime ${v?.manifest.runtimeVersion ?? '?'} signed by key ${v?.signerKeyId ?? '?'}; rebooting into it`);
        return d.status();
      },
      { bodyCheckedByHandler: true },
    );
  });
}
