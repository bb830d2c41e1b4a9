import type { FastifyInstance } from 'fastify';
import { Routes, type UpdateStatus } from '@pitwall/protocol';
import { serve } from './table-route.js';

export interface UpdateRouteDeps {
  status: () => Promise<UpdateStatus>;
}

/** The update's state for the companion: operation, progress, last error, both slots (read access). */
export function registerUpdateRoutes(app: FastifyInstance, d: UpdateRouteDeps): void {
  serve(app, Routes.update, () => d.status());
}
