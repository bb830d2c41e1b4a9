import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

/** Body of every 4xx/5xx answer of the device API. */
export const ApiError = Type.Object(
  {
    error: Type.Object(
      { code: Type.String({ minLength: 1 }), message: Type.String({ minLength: 1 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ApiError = Static<typeof ApiError>;
export const apiError = validator('ApiError', ApiError);
