import type { Kysely, Selectable } from 'kysely';
import { sessionsCursor, type GroupSessionsPage, type SharedSession, type SharedSessionParams, type SharedSessionUpload } from '@pitwall/protocol';
import type { HubTables, SharedSessionsTable } from '../db/tables.js';
import { HubRefusal } from '../hub-refusal.js';
import type { Member } from '../organisations/members.js';
import { noSuchGroup, roleIn } from './groups.js';
import { shareSessions } from './share-sessions.js';

const PAGE = 200;
const noSuchSession = () => new HubRefusal(404, 'no-such-session', 'No such session for you.');

function toShared(r: Selectable<SharedSessionsTable> & { driver_name: string }): SharedSession {
  return {
    unitId: r.unit_id,
    sessionId: r.session_id,
    driverId: r.driver_id,
    driverName: r.driver_name,
    startedAt: r.started_at,
    trackId: r.track_id,
    laps: JSON.parse(r.laps) as SharedSession['laps'],
    updatedAt: r.updated_at,
  };
}

/**
 * A driver shares their session with groups they drive in. The session is theirs: one another
 * driver shared first is refused. Sent again, laps and groups are replaced in one transaction.
 */
export async function shareSession(db: Kysely<HubTables>, caller: Member, p: SharedSessionParams, s: SharedSessionUpload, now: number): Promise<SharedSession> {
  const [row] = await shareSessions(db, caller, [{ ...p, ...s }], now);
  return toShared({ ...row!, driver_name: caller.name });
}

/** One session: for its driver, and for members of a group it is shared with; to anyone else it does not exist. */
export async function readSession(db: Kysely<HubTables>, caller: Member, p: SharedSessionParams): Promise<SharedSession> {
  const row = await db
    .selectFrom('shared_sessions')
    .innerJoin('members', 'members.id', 'shared_sessions.driver_id')
    .selectAll('shared_sessions')
    .select('members.name as driver_name')
    .where('unit_id', '=', p.unitId)
    .where('session_id', '=', p.sessionId)
    .where((eb) =>
      eb.or([
        eb('driver_id', '=', caller.id),
        eb.exists(
          eb
            .selectFrom('session_shares')
            .innerJoin('group_members', 'group_members.group_id', 'session_shares.group_id')
            .select('session_shares.group_id')
            .whereRef('session_shares.unit_id', '=', 'shared_sessions.unit_id')
            .whereRef('session_shares.session_id', '=', 'shared_sessions.session_id')
            .where('group_members.member_id', '=', caller.id),
        ),
      ]),
    )
    .executeTakeFirst();
  if (!row) throw noSuchSession();
  return toShared(row);
}

/** A group's sessions changed after the cursor, for the group's members only: one page, oldest change first. */
export async function groupSessions(db: Kysely<HubTables>, caller: Member, groupId: string, after: string | undefined): Promise<GroupSessionsPage> {
  if ((await roleIn(db, caller, groupId)) === null) throw noSuchGroup();
  let q = db
    .selectFrom('shared_sessions')
    .innerJoin('session_shares', (j) => j.onRef('session_shares.unit_id', '=', 'shared_sessions.unit_id').onRef('session_shares.session_id', '=', 'shared_sessions.session_id'))
    .innerJoin('members', 'members.id', 'shared_sessions.driver_id')
    .selectAll('shared_sessions')
    .select('members.name as driver_name')
    .where('session_shares.group_id', '=', groupId)
    .orderBy('shared_sessions.updated_at')
    .orderBy('shared_sessions.unit_id')
    .orderBy('shared_sessions.session_id')
    .limit(PAGE + 1);
  if (after !== undefined) {
    const [at, unitId, sessionId] = after.split('~') as [string, string, string];
    q = q.where((eb) => eb(eb.refTuple('shared_sessions.updated_at', 'shared_sessions.unit_id', 'shared_sessions.session_id'), '>', eb.tuple(at, unitId, sessionId)));
  }
  const rows = (await q.execute()).map(toShared);
  const sessions = rows.slice(0, PAGE);
  const last = sessions[sessions.length - 1];
  return { sessions, next: last ? sessionsCursor(last) : (after ?? null), more: rows.length > PAGE };
}
