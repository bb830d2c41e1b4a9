import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../../validate.js';
import { SlotName } from '../../update/boot-record.js';

/** POST /v1/recovery/rollback: the slot to boot instead of the active one (it must hold a complete runtime). */
export const RecoveryRollbackRequest = Type.Object({ slot: SlotName }, { additionalProperties: false });
export type RecoveryRollbackRequest = Static<typeof RecoveryRollbackRequest>;

/** What the boot record now says; the unit boots it when the recovery button is released and the unit restarted. */
export const RecoveryRollbackResult = Type.Object(
  { active: SlotName, version: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);
export type RecoveryRollbackResult = Static<typeof RecoveryRollbackResult>;
export const recoveryRollbackResult = validator('RecoveryRollbackResult', RecoveryRollbackResult);
