import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { Firmware } from './firmware.js';
import { GnssStatus } from './gnss-status.js';
import { UnitId, UnitName } from './unit-id.js';
import { IdentityState } from '../identity/identity-state.js';
import { LicenseStatus } from '../license/license-status.js';

/** GET /v1/status */
export const DeviceStatus = Type.Object(
  {
    id: UnitId,
    name: UnitName,
    model: Type.String(),
    firmware: Firmware,
    uptimeS: Type.Number({ minimum: 0 }),
    time: Type.String({ description: 'unit clock, ISO 8601 UTC' }),
    gnss: GnssStatus,
    identity: IdentityState,
    /** The licence as the unit judges it (absent on firmware without licensing). */
    license: Type.Optional(LicenseStatus),
  },
  { additionalProperties: false },
);
export type DeviceStatus = Static<typeof DeviceStatus>;
export const deviceStatus = validator('DeviceStatus', DeviceStatus);
