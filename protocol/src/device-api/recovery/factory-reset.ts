import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../../validate.js';

/** POST /v1/recovery/factory-reset: `confirmUnitId` must be the unit's id (no reset by a stray request). */
export const FactoryResetRequest = Type.Object({ confirmUnitId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export type FactoryResetRequest = Static<typeof FactoryResetRequest>;

/** What was wiped (sessions, logs, Wi-Fi profiles, operators, ...); the identity is kept and named. */
export const FactoryResetResult = Type.Object(
  {
    wiped: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32 }),
    unitId: Type.String({ maxLength: 64 }),
    fingerprint: Type.String({ maxLength: 80 }),
  },
  { additionalProperties: false },
);
export type FactoryResetResult = Static<typeof FactoryResetResult>;
export const factoryResetResult = validator('FactoryResetResult', FactoryResetResult);
