import { Type, type Static } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { validator } from '../validate.js';
import { HubTime } from './hub-ids.js';
import { SharedSessionId, SharedSessionUpload } from './shared-session.js';

/** The most sessions one batch carries: a track day of many units, or a season's catch-up a chunk at a time. */
export const SESSION_BATCH_MAX_ITEMS = 500;
/**
 * The largest batch body. A day of ten 30-minute sessions is about 20 KiB; the largest session the
 * schema allows (1,000 laps of 32 sectors) about 320 KiB, so any one session fits in a batch.
 */
export const SESSION_BATCH_MAX_B = 8 * 1024 * 1024;

/** One session of a batch: its unit and id, then what PUT /hub/v1/sessions/:unitId/:sessionId takes. */
export const SharedSessionBatchItem = Type.Object({ unitId: UnitId, sessionId: SharedSessionId, ...SharedSessionUpload.properties }, { additionalProperties: false });
export type SharedSessionBatchItem = Static<typeof SharedSessionBatchItem>;
export const sharedSessionBatchItem = validator('SharedSessionBatchItem', SharedSessionBatchItem);

/**
 * POST /hub/v1/sessions/batch: a driver shares many sessions in one request, all or nothing:
 * one refused (another driver's session, a group the caller does not drive in, a session twice)
 * refuses the batch, naming it by its index, and nothing is written.
 */
export const SharedSessionBatch = Type.Object(
  { sessions: Type.Array(SharedSessionBatchItem, { minItems: 1, maxItems: SESSION_BATCH_MAX_ITEMS }) },
  { additionalProperties: false },
);
export type SharedSessionBatch = Static<typeof SharedSessionBatch>;
export const sharedSessionBatch = validator('SharedSessionBatch', SharedSessionBatch);

/** What the hub keeps of a batch: every session, in the order sent, with its lap count; one update time for all. */
export const SharedSessionBatchResult = Type.Object(
  {
    updatedAt: HubTime,
    sessions: Type.Array(Type.Object({ unitId: UnitId, sessionId: SharedSessionId, laps: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }), {
      maxItems: SESSION_BATCH_MAX_ITEMS,
    }),
  },
  { additionalProperties: false },
);
export type SharedSessionBatchResult = Static<typeof SharedSessionBatchResult>;
export const sharedSessionBatchResult = validator('SharedSessionBatchResult', SharedSessionBatchResult);
