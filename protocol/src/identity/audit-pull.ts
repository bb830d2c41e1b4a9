import { Type, type Static } from '@sinclair/typebox';

/** Records a page of GET /v1/audit holds at most (and by default). */
export const AUDIT_PAGE_MAX = 10_000;

/**
 * Query of GET /v1/audit (the unit's owner only, like GET /v1/operators: the records name
 * operators and their keys). The answer is `application/x-ndjson`: the AuditRecords with
 * seq > `after`, oldest first, at most `limit`; a page shorter than `limit` is the end.
 */
export const AuditQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_PAGE_MAX })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;
