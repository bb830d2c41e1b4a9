import type { Kysely, Transaction } from 'kysely';
import type { SharedSessionBatchItem } from '@pitwall/protocol';
import type { HubTables, SharedSessionsTable } from '../db/tables.js';
import { nowIso } from '../db/ids.js';
import { HubRefusal } from '../hub-refusal.js';
import type { Member } from '../organisations/members.js';
import { noSuchGroup } from './groups.js';
import { sharingRights, sharingRightsQuery } from './sharing-rights.js';
import { writeFleetLapColumns } from '../fleet/hub-lap-columns.js';
import { isPostgres } from '../db/dialect.js';
import { shareSessionsInOneStatement, statementRefusal } from './share-sessions-postgres.js';

// Rows per statement, under SQLite's 32,766 bound parameters and PostgreSQL's 65,535:
// a session row binds 7, a share 3, a session key 2.
const SESSIONS_PER_INSERT = 1000;
const SHARES_PER_INSERT = 3000;
const KEYS_PER_DELETE = 3000;

export type SessionRow = SharedSessionsTable;

/** How a refusal names the session it is about: nothing for the route of one session, its index for a batch. */
export type ItemName = (index: number) => string;

const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
const keyOf = (s: { unitId: string; sessionId: string }) => `${s.unitId}/${s.sessionId}`;

function refuse(name: ItemName, i: number, r: HubRefusal): HubRefusal {
  const prefix = name(i);
  return prefix ? new HubRefusal(r.status, r.code, `${prefix}: ${r.message}`) : r;
}

/** What needs no database: no session twice in the batch, no group twice in a session. */
function checkItems(items: readonly SharedSessionBatchItem[], name: ItemName): void {
  const seen = new Map<string, number>();
  items.forEach((s, i) => {
    const first = seen.get(keyOf(s));
    if (first !== undefined) throw refuse(name, i, new HubRefusal(400, 'duplicate-session', `the same session as ${name(first) || 'another'}: a batch shares each session once.`));
    seen.set(keyOf(s), i);
    if (new Set(s.groups).size !== s.groups.length) throw refuse(name, i, new HubRefusal(400, 'duplicate-group', 'A group is named twice: name each group once.'));
  });
}

/** The batch's groups and units, each once: what sharingRights is asked about. */
const namedIn = (items: readonly SharedSessionBatchItem[]) => ({ groupIds: [...new Set(items.flatMap((s) => s.groups))], unitIds: [...new Set(items.map((s) => s.unitId))] });

/** No unit another organisation owns, and every group one the caller drives in (one query for all); the first item that fails is named. */
async function checkRights(db: Kysely<HubTables>, caller: Member, items: readonly SharedSessionBatchItem[], name: ItemName): Promise<void> {
  const { groupIds, unitIds } = namedIn(items);
  const { roles, othersUnits } = await sharingRights(db, caller, groupIds, unitIds);
  items.forEach((s, i) => {
    if (othersUnits.has(s.unitId)) throw refuse(name, i, new HubRefusal(403, 'unit-of-another-academy', `Unit ${s.unitId} is registered to another organisation: only its own academy's drivers share its sessions.`));
    for (const g of s.groups) {
      const role = roles.get(g);
      if (role === undefined) throw refuse(name, i, noSuchGroup());
      if (role !== 'driver') throw refuse(name, i, new HubRefusal(403, 'not-a-driver', `You are ${role === 'coach' ? 'a coach' : 'an analyst'} in group ${g}: only its drivers share sessions with it.`));
    }
  });
}

/**
 * Upserts the rows, in key order (two batches touching the same sessions lock them in the same
 * order, so they queue rather than deadlock). A session another driver holds is not updated and
 * not returned: that is the owner check, in the same statement.
 */
async function upsertSessions(trx: Transaction<HubTables>, rows: readonly SessionRow[]): Promise<Set<string>> {
  const sorted = [...rows].sort((a, b) => (a.unit_id === b.unit_id ? (a.session_id < b.session_id ? -1 : 1) : a.unit_id < b.unit_id ? -1 : 1));
  const written = new Set<string>();
  for (const part of chunks(sorted, SESSIONS_PER_INSERT)) {
    const back = await trx
      .insertInto('shared_sessions')
      .values(part)
      .onConflict((oc) =>
        oc
          .columns(['unit_id', 'session_id'])
          .doUpdateSet((eb) => ({
            started_at: eb.ref('excluded.started_at'),
            track_id: eb.ref('excluded.track_id'),
            laps: eb.ref('excluded.laps'),
            updated_at: eb.ref('excluded.updated_at'),
          }))
          .whereRef('shared_sessions.driver_id', '=', 'excluded.driver_id'),
      )
      .returning(['unit_id', 'session_id'])
      .execute();
    for (const r of back) written.add(keyOf({ unitId: r.unit_id, sessionId: r.session_id }));
  }
  return written;
}

/** Each session's groups become exactly those sent: the old shares of all of them deleted, the new inserted. */
async function replaceShares(trx: Transaction<HubTables>, items: readonly SharedSessionBatchItem[]): Promise<void> {
  for (const part of chunks(items, KEYS_PER_DELETE)) {
    const byUnit = new Map<string, string[]>();
    for (const s of part) {
      const ids = byUnit.get(s.unitId);
      if (ids) ids.push(s.sessionId);
      else byUnit.set(s.unitId, [s.sessionId]);
    }
    await trx
      .deleteFrom('session_shares')
      .where((eb) => eb.or([...byUnit].map(([unit, ids]) => eb.and([eb('unit_id', '=', unit), eb('session_id', 'in', ids)]))))
      .execute();
  }
  const shares = items.flatMap((s) => s.groups.map((g) => ({ group_id: g, unit_id: s.unitId, session_id: s.sessionId })));
  for (const part of chunks(shares, SHARES_PER_INSERT)) await trx.insertInto('session_shares').values(part).execute();
}

const sessionOfAnotherDriver = () => new HubRefusal(409, 'session-of-another-driver', 'This session was shared by another driver.');

/** The index of the batch's first session another driver holds (after a refusal, to name it). */
async function firstTaken(db: Kysely<HubTables>, caller: Member, items: readonly SharedSessionBatchItem[]): Promise<number> {
  const taken = new Set<string>();
  for (const part of chunks(items, KEYS_PER_DELETE)) {
    const rows = await db
      .selectFrom('shared_sessions')
      .select(['unit_id', 'session_id'])
      .where('driver_id', '<>', caller.id)
      .where((eb) => eb.or(part.map((s) => eb.and([eb('unit_id', '=', s.unitId), eb('session_id', '=', s.sessionId)]))))
      .execute();
    for (const r of rows) taken.add(keyOf({ unitId: r.unit_id, sessionId: r.session_id }));
  }
  return Math.max(0, items.findIndex((s) => taken.has(keyOf(s))));
}

/**
 * A driver shares sessions with groups they drive in, all in one transaction: every session is
 * theirs (one another driver shared first refuses the whole batch), each sent again replaces its
 * laps and groups. Any refusal names the session (`name`) and writes nothing. The route of one
 * session and the batch route both come here.
 */
export async function shareSessions(db: Kysely<HubTables>, caller: Member, items: readonly SharedSessionBatchItem[], now: number, name: ItemName = () => ''): Promise<SessionRow[]> {
  checkItems(items, name);
  const updatedAt = nowIso(now);
  const rows: SessionRow[] = items.map((s) => ({
    unit_id: s.unitId,
    session_id: s.sessionId,
    driver_id: caller.id,
    started_at: s.startedAt,
    track_id: s.trackId,
    laps: JSON.stringify(s.laps),
    updated_at: updatedAt,
  }));
  if (isPostgres(db)) {
    await shareInOneStatement(db, caller, rows, items, name);
    return rows;
  }
  await checkRights(db, caller, items, name);
  await db.transaction().execute(async (trx) => {
    const written = await upsertSessions(trx, rows);
    const taken = items.findIndex((s) => !written.has(keyOf(s)));
    if (taken >= 0) throw refuse(name, taken, sessionOfAnotherDriver());
    await replaceShares(trx, items);
    await writeFleetLapColumns(trx, rows.map((r, i) => ({ ...r, laps: items[i]!.laps })));
  });
  return rows;
}

/**
 * PostgreSQL: rights, ownership and writes in one statement. When it refuses, the refusal is named
 * by reading again what it read (which item, which group). Rights granted between the two reads
 * (the statement refused, the second read finds nothing wrong) get one more try.
 */
async function shareInOneStatement(db: Kysely<HubTables>, caller: Member, rows: readonly SessionRow[], items: readonly SharedSessionBatchItem[], name: ItemName): Promise<void> {
  const { groupIds, unitIds } = namedIn(items);
  for (let attempt = 1; ; attempt++) {
    try {
      return await shareSessionsInOneStatement(db, rows, items, sharingRightsQuery(db, caller, groupIds, unitIds), groupIds.length);
    } catch (err) {
      const refusal = statementRefusal(err);
      if (refusal === 'session-of-another-driver') throw refuse(name, await firstTaken(db, caller, items), sessionOfAnotherDriver());
      if (refusal === null) throw err;
      await checkRights(db, caller, items, name);
      if (attempt === 2) throw new HubRefusal(409, 'rights-changed', 'Group memberships changed while this was shared: send it again.');
    }
  }
}
