import { Type, type Static } from '@sinclair/typebox';
import { GnssStatus } from '../device-api/gnss-status.js';
import { UnitId } from '../device-api/unit-id.js';
import { Fingerprint } from '../identity/fingerprint.js';
import { Role } from '../identity/role.js';

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

/**
 * The companion's trust in a unit. `key-changed`: the unit now presents another key than the
 * one pinned at pairing (refused until the operator re-pairs). `conflict`: two units claim the
 * same id with different keys (neither is trusted beyond the pinned one).
 */
export const PairingInfo = Type.Object(
  {
    state: Type.Union([Type.Literal('unpaired'), Type.Literal('paired'), Type.Literal('key-changed'), Type.Literal('conflict')]),
    role: Type.Union([Role, Type.Null()]),
    pinnedFingerprint: Type.Union([Fingerprint, Type.Null()]),
    /** The fingerprint seen most recently (TLS certificate or mDNS TXT), if any. */
    seenFingerprint: Type.Union([Fingerprint, Type.Null()]),
  },
  { additionalProperties: false },
);
export type PairingInfo = Static<typeof PairingInfo>;

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
    pairing: PairingInfo,
  },
  { additionalProperties: false },
);
export type DeviceEntry = Static<typeof DeviceEntry>;
