import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { Firmware } from './firmware.js';
import { UnitId, UnitName } from './unit-id.js';
import { Fingerprint } from '../identity/fingerprint.js';

/** GET /v1/info and serial `info`: who the unit is. Public (discovery) information only. */
export const DeviceInfo = Type.Object(
  {
    id: UnitId,
    name: UnitName,
    model: Type.String({ minLength: 1, maxLength: 64 }),
    firmware: Firmware,
    apiVersion: Type.Integer({ minimum: 1 }),
    /** Fingerprint of the identity key the unit's TLS certificate carries; null while the key is missing or corrupt. */
    fingerprint: Type.Union([Fingerprint, Type.Null()]),
  },
  { additionalProperties: false },
);
export type DeviceInfo = Static<typeof DeviceInfo>;
export const deviceInfo = validator('DeviceInfo', DeviceInfo);
