import { CompanionError, sharedSessionParams, sharedSessionUpload, type SharedSession, type SharedSessionUpload } from '@pitwall/protocol';
import { syncGroup, type HubClient } from '@pitwall/protocol/node';
import type { Db } from '../store/database.js';
import { storeWriter } from '../store/store-writer.js';
import { packLapColumns } from '../sessions/lap-features.js';
import type { SessionStore } from '../sessions/session-store.js';

export interface ShareOutcome {
  unitId: string;
  sessionId: string;
  laps: number;
}

/**
 * A session of this store as the hub takes it: its laps and sector times (whole milliseconds),
 * checked by the protocol's validator here, so a session the hub would refuse is named before
 * anything is sent.
 */
function uploadOf(store: SessionStore, ref: string, groups: readonly string[]): { unitId: string; sessionId: string; upload: SharedSessionUpload } {
  const s = store.resolve(ref);
  if (!s) throw new CompanionError('not-found', `no session "${ref}" in this store (pitwall sessions lists them)`);
  const upload = {
    startedAt: new Date(s.startedAt).toISOString(),
    trackId: s.trackId,
    laps: store.laps(s.id).map((l) => ({ lap: l.lap, timeMs: Math.round(l.timeMs), sectorsMs: l.sectorsMs.map((v) => Math.round(v)) })),
    groups: [...new Set(groups)],
  };
  try {
    sharedSessionParams.parse({ unitId: s.unitId, sessionId: s.sessionId });
    return { unitId: s.unitId, sessionId: s.sessionId, upload: sharedSessionUpload.parse(upload) };
  } catch (err) {
    throw new CompanionError('invalid-params', `session "${ref}" cannot be shared: ${(err as Error).message}`);
  }
}

/**
 * Shares the chosen sessions with the groups (the hub replaces what it had of them); every one is
 * checked before anything is sent, then a day's sessions go in one request, all or nothing
 * (more than a request carries: in chunks, each all or nothing).
 */
export async function shareSessions(store: SessionStore, hub: HubClient, refs: readonly string[], groups: readonly string[]): Promise<ShareOutcome[]> {
  const uploads = refs.map((r) => uploadOf(store, r, groups));
  await hub.shareSessions(uploads.map((u) => ({ unitId: u.unitId, sessionId: u.sessionId, ...u.upload })));
  return uploads.map((u) => ({ unitId: u.unitId, sessionId: u.sessionId, laps: u.upload.laps.length }));
}

/** A synced session's laps as lap_features' columns; a lap starts at its session's start plus the laps before it. */
function keepSharedSession(db: Db, s: SharedSession): void {
  db.prepare('DELETE FROM hub_lap_features WHERE unit_id = ? AND session_id = ?').run(s.unitId, s.sessionId);
  if (s.trackId === null || s.laps.length === 0) return;
  let t = Date.parse(s.startedAt);
  const laps = [...s.laps]
    .sort((a, b) => a.lap - b.lap)
    .map((l) => {
      const lap = { number: l.lap, startT: t, timeMs: l.timeMs, sectorsMs: l.sectorsMs };
      t += l.timeMs;
      return lap;
    });
  const p = packLapColumns(laps);
  db.prepare('INSERT INTO hub_lap_features (unit_id, session_id, track_id, driver, laps, sectors, corners, columns) VALUES (?,?,?,?,?,?,?,?)').run(
    s.unitId,
    s.sessionId,
    s.trackId,
    s.driverName,
    laps.length,
    p.sectors,
    p.corners,
    p.columns,
  );
}

/** The store's writes of a hub sync, run by its writer (store/write-ops.ts). */
export const hubWrites = {
  /** A group's sessions and its new cursor, in one transaction: a crash leaves both or neither. */
  'hub.keepGroupSessions': (db: Db, hub: string, groupId: string, sessions: SharedSession[], cursor: string | null): void =>
    db.transaction(() => {
      for (const s of sessions) keepSharedSession(db, s);
      db.prepare('INSERT INTO hub_group_cursors (hub, group_id, cursor) VALUES (?,?,?) ON CONFLICT (hub, group_id) DO UPDATE SET cursor = excluded.cursor').run(hub, groupId, cursor);
    })(),
};

export interface GroupSyncOutcome {
  groupId: string;
  changed: number;
}

/** Catches each group up from the cursor kept for it (offline-first: an unreachable hub throws and the store keeps what it has). */
export async function syncHubGroups(db: Db, hub: HubClient, groupIds: readonly string[]): Promise<GroupSyncOutcome[]> {
  const out: GroupSyncOutcome[] = [];
  for (const groupId of groupIds) {
    const row = db.prepare('SELECT cursor FROM hub_group_cursors WHERE hub = ? AND group_id = ?').get(hub.baseUrl, groupId) as { cursor: string | null } | undefined;
    const r = await syncGroup(hub, groupId, row?.cursor ?? null);
    storeWriter(db).run('hub.keepGroupSessions', hub.baseUrl, groupId, r.changed, r.cursor);
    out.push({ groupId, changed: r.changed.length });
  }
  return out;
}
