import { Type, type Static } from '@sinclair/typebox';

/** Query of GET /v1/live: cap the event rate (default: every fix). */
export const LiveQuery = Type.Object(
  { maxHz: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'at most this many fix (and timing) events per second' })) },
  { additionalProperties: false },
);
export type LiveQuery = Static<typeof LiveQuery>;
