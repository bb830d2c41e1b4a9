import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { UnitId, UnitName } from './unit-id.js';
import { Fingerprint } from '../identity/fingerprint.js';

export const MDNS_SERVICE_TYPE = 'pitwall';
export const MDNS_PROTOCOL = 'tcp';

/** TXT record of `_pitwall._tcp`: `api` is the device API port (HTTPS), `fp` the identity key fingerprint. */
export const MdnsTxt = Type.Object(
  {
    id: UnitId,
    name: UnitName,
    model: Type.String({ minLength: 1, maxLength: 64 }),
    fw: Type.String({ minLength: 1, maxLength: 64 }),
    api: Type.String({ pattern: '^[1-9][0-9]{0,4}$' }),
    fp: Type.Optional(Fingerprint),
  },
  { additionalProperties: true },
);
export type MdnsTxt = Static<typeof MdnsTxt>;
export const mdnsTxt = validator('MdnsTxt', MdnsTxt);
