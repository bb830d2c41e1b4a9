import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { FixType } from './gnss-status.js';

/** One `fix` event on GET /v1/live (Server-Sent Events, `event: fix`, JSON data). */
export const LiveFix = Type.Object(
  {
    time: Type.String({ description: 'receiver time, ISO 8601 UTC' }),
    fix: FixType,
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    altM: Type.Union([Type.Number(), Type.Null()]),
    speedMps: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    courseDeg: Type.Union([Type.Number(), Type.Null()]),
    satellites: Type.Integer({ minimum: 0 }),
    hdop: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type LiveFix = Static<typeof LiveFix>;
export const liveFix = validator('LiveFix', LiveFix);
