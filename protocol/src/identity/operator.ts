import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { Fingerprint } from './fingerprint.js';
import { Role } from './role.js';

/** One paired operator, as GET /v1/operators lists it (owner only). */
export const Operator = Type.Object(
  {
    fingerprint: Fingerprint,
    name: Type.String(),
    role: Role,
    via: Type.Union([Type.Literal('usb'), Type.Literal('network')]),
    pairedAt: Type.String(),
    revokedAt: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type Operator = Static<typeof Operator>;
export const operator = validator('Operator', Operator);

export const OperatorList = Type.Object({ operators: Type.Array(Operator) }, { additionalProperties: false });
export type OperatorList = Static<typeof OperatorList>;
export const operatorList = validator('OperatorList', OperatorList);
