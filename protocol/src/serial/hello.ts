import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { UnitId, UnitName } from '../device-api/unit-id.js';

/** Version of the framed serial protocol. */
export const SERIAL_PROTOCOL_VERSION = 1;

/** Result of the serial `hello` method: how the companion recognises a unit on a port. */
export const HelloResult = Type.Object(
  {
    protocol: Type.Integer({ minimum: 1 }),
    product: Type.Literal('pitwall'),
    id: UnitId,
    name: UnitName,
  },
  { additionalProperties: false },
);
export type HelloResult = Static<typeof HelloResult>;
export const helloResult = validator('HelloResult', HelloResult);

/** USB gadget identity of a unit (Linux Foundation VID, CDC composite gadget PID). */
export const USB_GADGET_IDS = [{ vendorId: '1d6b', productId: '0104' }] as const;
