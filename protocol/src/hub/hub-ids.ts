import { Type } from '@sinclair/typebox';

/** Ids the hub makes: 16 random bytes, hex. */
export const HubId = Type.String({ pattern: '^[0-9a-f]{32}$' });
/** A moment as the hub writes it: `Date.prototype.toISOString()` (UTC, milliseconds). */
export const HubTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' });
