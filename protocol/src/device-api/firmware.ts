import { Type, type Static } from '@sinclair/typebox';

export const Firmware = Type.Object(
  {
    version: Type.String({ minLength: 1, maxLength: 64 }),
    commit: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type Firmware = Static<typeof Firmware>;
