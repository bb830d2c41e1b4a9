import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../../validate.js';

/** Support mode lasts 60 minutes unless asked otherwise, and never more than 8 hours. */
export const SUPPORT_DEFAULT_S = 60 * 60;
export const SUPPORT_MAX_S = 8 * 60 * 60;

/** POST /v1/support/on (owner): turn support mode on, or set a new end if it is already on. */
export const SupportOn = Type.Object(
  { durationS: Type.Optional(Type.Integer({ minimum: 1, maximum: SUPPORT_MAX_S, description: 'seconds support stays on (default 3600)' })) },
  { additionalProperties: false },
);
export type SupportOn = Static<typeof SupportOn>;
export const supportOn = validator('SupportOn', SupportOn);
