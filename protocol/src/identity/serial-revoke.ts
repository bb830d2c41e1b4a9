import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { Fingerprint } from './fingerprint.js';

/** Params of the serial `revoke` method: USB (physical presence) may revoke any operator, owners included. */
export const SerialRevokeParams = Type.Object({ fingerprint: Fingerprint }, { additionalProperties: false });
export type SerialRevokeParams = Static<typeof SerialRevokeParams>;
export const serialRevokeParams = validator('SerialRevokeParams', SerialRevokeParams);
