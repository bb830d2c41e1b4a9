import { Type, type Static } from '@sinclair/typebox';
import { GnssStatus } from '../device-api/gnss-status.js';
import { UnitId } from '../device-api/unit-id.js';

export const LinkKind = Type.Union([Type.Literal('mdns'), Type.Literal('usb'), Type.Literal('address')]);
export type LinkKind = Static<typeof LinkKind>;

/** One way the companion reaches a unit: `target` is host:port for mdns/address, a port path for usb. */
export const DeviceLink = Type.Object(
  {
    kind: LinkKind,
    target: Type.String({ minLength: 1 }),
    online: Type.Boolean(),
    lastSeen: Type.Number({ description: 'epoch ms' }),
  },
  { additionalProperties: false },
);
export type DeviceLink = Static<typeof DeviceLink>;

/** A unit in the companion's device list, keyed by unit id whatever the links. */
export const DeviceEntry = Type.Object(
  {
    id: UnitId,
    name: Type.String(),
    model: Type.String(),
    firmware: Type.String(),
    commit: Type.Union([Type.String(), Type.Null()]),
    links: Type.Array(DeviceLink),
    online: Type.Boolean(),
    lastSeen: Type.Number({ description: 'epoch ms' }),
    gnss: Type.Union([GnssStatus, Type.Null()]),
  },
  { additionalProperties: false },
);
export type DeviceEntry = Static<typeof DeviceEntry>;
