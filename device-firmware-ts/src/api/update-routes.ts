import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ApiError, UpdateStatus, type UpdateStatus as UpdateStatusT } from '@pitwall/protocol';

const NoQuery = Type.Object({}, { additionalProperties: false });
const errors = { 401: ApiError, 403: ApiError, 503: ApiError };

export interface UpdateRouteDeps {
  status: () => Promise<UpdateStatusT>;
}

/** The update's state for the companion: operation, progress, last error, both slots (read access). */
export function registerUpdateRoutes(app: FastifyInstance, d: UpdateRouteDeps): void {
  app.get('/v1/update', { schema: { querystring: NoQuery, response: { 200: UpdateStatus, ...errors } } }, () => d.status());
}
