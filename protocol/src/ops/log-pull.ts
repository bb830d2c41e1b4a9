import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

/**
 * Incremental log pull. GET /v1/logs/boots lists the boots the unit still holds;
 * GET /v1/logs?boot=B&after=S&limit=N streams that boot's records with seq > S as
 * `application/x-ndjson` (one LogRecord a line, in seq order). POST /v1/logs/confirm tells
 * the unit the companion has stored records up to `seq`: only confirmed records may be
 * dropped early (rotation still bounds the total size).
 */
export const LogBoot = Type.Object(
  {
    boot: Type.String(),
    startedAt: Type.String(),
    firstSeq: Type.Integer({ minimum: 0 }),
    lastSeq: Type.Integer({ minimum: 0 }),
    confirmedSeq: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type LogBoot = Static<typeof LogBoot>;

export const LogBootList = Type.Object({ boots: Type.Array(LogBoot) }, { additionalProperties: false });
export type LogBootList = Static<typeof LogBootList>;
export const logBootList = validator('LogBootList', LogBootList);

/**
 * A companion may send `Accept-Encoding: gzip` with GET /v1/logs; the unit then sends the NDJSON
 * gzip-compressed (`Content-Encoding: gzip`). Log lines shrink about tenfold, and in the field a
 * pull waits on the unit's Wi-Fi, not on its CPU. True when the header accepts gzip (q > 0).
 */
export function acceptsGzip(acceptEncoding: string | string[] | undefined): boolean {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : (acceptEncoding ?? '');
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';');
    if (name!.trim().toLowerCase() !== 'gzip') continue;
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/** Most records one GET /v1/logs may ask for. */
export const LOG_PAGE_MAX = 1_000_000;

export const LogQuery = Type.Object(
  {
    boot: Type.String({ pattern: '^[0-9a-f-]{36}$' }),
    after: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LOG_PAGE_MAX })),
  },
  { additionalProperties: false },
);
export type LogQuery = Static<typeof LogQuery>;

export const LogConfirm = Type.Object(
  { boot: Type.String({ pattern: '^[0-9a-f-]{36}$' }), seq: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);
export type LogConfirm = Static<typeof LogConfirm>;

/** The unit's answer to POST /v1/logs/confirm. */
export const LogConfirmResult = Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false });
export type LogConfirmResult = Static<typeof LogConfirmResult>;
