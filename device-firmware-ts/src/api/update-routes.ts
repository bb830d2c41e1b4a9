import type { FastifyInstance } from 'fastify';
import { Routes, type UpdateStatus } from '@pitwall/protocol';
import { serve } from './table-route.js';
import { registerUpdatePushRoute, type UpdatePushDeps } from './update-push-route.js';

export interface UpdateRouteDeps {
  status: () => Promise<UpdateStatus>;
  /** Pushing a bundle (POST /v1/update); absent where the runtime takes no pushes. */
  push?: Omit<UpdatePushDeps, 'status' | 'audit' | 'log' | 'send'>;
}

/** The update's state for the companion (read access), and the bundle push (update access). */
export function registerUpdateRoutes(app: FastifyInstance, d: UpdateRouteDeps, ctx: Pick<UpdatePushDeps, 'audit' | 'log' | 'send'>): void {
  serve(app, Routes.update, () => d.status());
  if (d.push) registerUpdatePushRoute(app, Routes.pushUpdate, { ...d.push, status: d.status, ...ctx });
}
