import { Type, type Static } from '@sinclair/typebox';
import { validator } from '@pitwall/protocol';

/**
 * The unit's session list (GET /v1/sessions) as the companion reads it. Kept here until the
 * device API's own schema lands in protocol; extra fields are allowed so either side can grow.
 */
export const UnitSessionEntry = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
  track: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  start: Type.String({ maxLength: 40 }),
  durationS: Type.Number({ minimum: 0 }),
  laps: Type.Integer({ minimum: 0 }),
  bestLapMs: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  sizeB: Type.Integer({ minimum: 0 }),
  sha256: Type.Union([Type.String({ pattern: '^[0-9a-f]{64}$' }), Type.Null()]),
  state: Type.Union([Type.Literal('recording'), Type.Literal('closed')]),
  confirmed: Type.Boolean(),
});
export type UnitSessionEntry = Static<typeof UnitSessionEntry>;
export const UnitSessionList = Type.Array(UnitSessionEntry, { maxItems: 10_000 });
export const unitSessionList = validator('UnitSessionList', UnitSessionList);
export const ConfirmAnswer = Type.Object({});
export const confirmAnswer = validator('ConfirmAnswer', ConfirmAnswer);
