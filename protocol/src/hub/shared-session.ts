import { Type, type Static } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { validator } from '../validate.js';
import { HubId, HubTime } from './hub-ids.js';

const Ms = Type.Integer({ minimum: 1, maximum: 3_600_000 });
export const SharedLap = Type.Object(
  { lap: Type.Integer({ minimum: 1, maximum: 10_000 }), timeMs: Ms, sectorsMs: Type.Array(Ms, { maxItems: 32 }) },
  { additionalProperties: false },
);

/** A session id as the unit makes it (its recorder's id), unique per unit. */
export const SharedSessionId = Type.String({ pattern: '^[A-Za-z0-9._-]{1,80}$' });

/**
 * PUT /hub/v1/sessions/:unitId/:sessionId: a driver shares one of their sessions (its laps and
 * sector times) with the groups they choose, each a group they drive in. Sent again, it replaces
 * the laps and the groups (the companion syncs offline-first and catches up when online).
 */
export const SharedSessionUpload = Type.Object(
  {
    startedAt: HubTime,
    trackId: Type.Union([Type.String({ pattern: '^[A-Za-z0-9:._-]{1,120}$' }), Type.Null()]),
    laps: Type.Array(SharedLap, { maxItems: 1000 }),
    // Each group once: the hub refuses a group named twice (`duplicate-group`). Not `uniqueItems`:
    // TypeBox hashes every item for it with BigInt arithmetic, a tenth of the hub's CPU on a batch.
    groups: Type.Array(HubId, { maxItems: 16 }),
  },
  { additionalProperties: false },
);
export type SharedSessionUpload = Static<typeof SharedSessionUpload>;
export const sharedSessionUpload = validator('SharedSessionUpload', SharedSessionUpload);

export const SharedSessionParams = Type.Object({ unitId: UnitId, sessionId: SharedSessionId }, { additionalProperties: false });
export type SharedSessionParams = Static<typeof SharedSessionParams>;
export const sharedSessionParams = validator('SharedSessionParams', SharedSessionParams);

/** A shared session as a group's member reads it. */
export const SharedSession = Type.Object(
  {
    unitId: UnitId,
    sessionId: SharedSessionId,
    driverId: HubId,
    /** The driver's member name, as fleet distributions name drivers. */
    driverName: Type.String({ maxLength: 200 }),
    startedAt: HubTime,
    trackId: Type.Union([Type.String(), Type.Null()]),
    laps: Type.Array(SharedLap),
    updatedAt: HubTime,
  },
  { additionalProperties: false },
);
export type SharedSession = Static<typeof SharedSession>;
export const sharedSession = validator('SharedSession', SharedSession);

/** Where a group's session list goes on from: the last session's update time, unit and session id. */
export const SessionsCursor = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z~[0-9a-f-]{36}~[A-Za-z0-9._-]{1,80}$' });

/** GET /hub/v1/groups/:groupId/sessions?after=CURSOR: the group's sessions changed after the cursor, oldest change first. */
export const GroupSessionsQuery = Type.Object({ after: Type.Optional(SessionsCursor) }, { additionalProperties: false });
export type GroupSessionsQuery = Static<typeof GroupSessionsQuery>;
export const groupSessionsQuery = validator('GroupSessionsQuery', GroupSessionsQuery);

/**
 * One page. `next`: the cursor after the last session of this page (or the one asked with), to
 * ask with next time, null while the group has none; `more`: another page is ready now.
 */
export const GroupSessionsPage = Type.Object(
  { sessions: Type.Array(SharedSession), next: Type.Union([SessionsCursor, Type.Null()]), more: Type.Boolean() },
  { additionalProperties: false },
);
export type GroupSessionsPage = Static<typeof GroupSessionsPage>;
export const groupSessionsPage = validator('GroupSessionsPage', GroupSessionsPage);

export function sessionsCursor(s: Pick<SharedSession, 'updatedAt' | 'unitId' | 'sessionId'>): string {
  return `${s.updatedAt}~${s.unitId}~${s.sessionId}`;
}
