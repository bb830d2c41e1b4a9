import { Type, type Static } from '@sinclair/typebox';
import { Fingerprint } from './fingerprint.js';

/**
 * The unit's view of its own identity, in /v1/status. Anything but `ok` is a problem the
 * unit reports and does not repair by itself (it never quietly becomes a new identity).
 */
export const IdentityState = Type.Object(
  {
    state: Type.Union([
      Type.Literal('ok'),
      Type.Literal('key-missing'),
      Type.Literal('key-corrupt'),
      Type.Literal('id-mismatch'),
    ]),
    fingerprint: Type.Union([Fingerprint, Type.Null()]),
    hardwareSource: Type.String({ description: 'where the hardware serial came from: cpuinfo, devicetree, machine-id, sim' }),
    message: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type IdentityState = Static<typeof IdentityState>;
