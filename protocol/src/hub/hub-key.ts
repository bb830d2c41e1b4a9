import { Type, type Static } from '@sinclair/typebox';
import { Fingerprint } from '../identity/fingerprint.js';
import { validator } from '../validate.js';
import { UnitPublicKey } from './registration-request.js';

/** GET /hub/v1/key: the key the hub signs registration records with, for a companion to pin. */
export const HubKeyInfo = Type.Object({ publicKey: UnitPublicKey, fingerprint: Fingerprint }, { additionalProperties: false });
export type HubKeyInfo = Static<typeof HubKeyInfo>;
export const hubKeyInfo = validator('HubKeyInfo', HubKeyInfo);
