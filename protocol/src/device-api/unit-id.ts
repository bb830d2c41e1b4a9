import { Type } from '@sinclair/typebox';

/** A unit id: lower-case UUID. */
export const UnitId = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
});
export const UnitName = Type.String({ minLength: 1, maxLength: 63 });
