import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../../validate.js';
import { SlotName, SlotState } from '../../update/boot-record.js';

/** GET /v1/recovery: the unit is in recovery mode (the button was held at boot); what it can do. */
export const RecoveryStatus = Type.Object(
  {
    mode: Type.Literal('recovery'),
    unitId: Type.String({ maxLength: 64 }),
    /** The slot the boot record would start, the last one that passed its health gate, and both slots. */
    active: SlotName,
    lastGood: Type.Union([SlotName, Type.Null()]),
    slots: Type.Object({ A: SlotState, B: SlotState }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type RecoveryStatus = Static<typeof RecoveryStatus>;
export const recoveryStatus = validator('RecoveryStatus', RecoveryStatus);
