import { sessionList, sessionMeta, type SessionMeta } from '@pitwall/protocol';

/** The unit's session API schemas (protocol/src/device-api/session-meta.ts), as the sync reads them. */
export type UnitSessionEntry = SessionMeta;
export const unitSessionList = sessionList;
export const confirmAnswer = sessionMeta;
