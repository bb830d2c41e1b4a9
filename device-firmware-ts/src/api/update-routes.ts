import type { FastifyInstance } from 'fastify';
import { Routes, type UpdateStatus } from '@pitwall/protocol';
import { BundleReceiver, type BundleReceiverDeps } from '../update/bundle-receiver.js';
import { serve } from './table-route.js';
import { registerUpdatePushRoute, type SendError } from './update-push-route.js';

export interface UpdateRouteDeps {
  status: () => Promise<UpdateStatus>;
  /** Pushing a bundle (POST /v1/update); absent where the runtime takes no pushes. */
  push?: Omit<BundleReceiverDeps, 'status' | 'audit' | 'log'>;
}

/** The update's state for the companion (read access), and the bundle push (update access). */
export function registerUpdateRoutes(app: FastifyInstance, d: UpdateRouteDeps, ctx: Pick<BundleReceiverDeps, 'audit' | 'log'> & { send: SendError }): void {
  serve(app, Routes.update, () => d.status());
  if (d.push) registerUpdatePushRoute(app, Routes.pushUpdate, new BundleReceiver({ ...d.push, status: d.status, audit: ctx.audit, log: ctx.log }), ctx.send);
}
