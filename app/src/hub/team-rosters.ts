import { randomBytes } from 'node:crypto';
import {
  CompanionError, HubRoutes, editRoster, emptyRoster, firstPullReport, hlc, latestRosterStamp, mergeRosters, receiveHlc, roster, rosterMembers, rosterPull, rosterPushResult, rosterReport, tickHlc,
  type GroupRole, type Hlc, type Roster, type RosterChange, type RosterEdit, type RosterPushResult,
} from '@pitwall/protocol';
import type { HubClient } from '@pitwall/protocol/node';
import type { Db } from '../store/database.js';
import { storeWriter, type StoreWriter } from '../store/store-writer.js';
import { hubKey, readCursor } from './pull-cursors.js';

export interface RosterView {
  groupId: string;
  name: string | null;
  members: { memberId: string; name: string | null; role: GroupRole }[];
  /** Edits made here that the hub has not taken yet. */
  pending: boolean;
  /** The name of every member the hub named for this group, members removed since included. */
  names: Record<string, string>;
  /** Those edits one by one, oldest first, with when each was made (a roster marked pending before store migration 14 lists none). */
  unpushed: { id: number; edit: RosterEdit; madeAt: number }[];
  /** What merges of the hub's roster changed here (edits made elsewhere), oldest first, with when this laptop merged them. */
  merged: (RosterChange & { mergedAt: number })[];
}

export interface RosterSyncReport {
  /** The hub's answer to the push of the rosters edited here (null: none had edits). */
  pushed: RosterPushResult | null;
  pulled: number;
  changes: RosterChange[];
  /** The hub's roster version this laptop has now seen up to. */
  version: number;
}

const HUB_ID = /^[0-9a-f]{32}$/;
const PAGE = 100;

/** The store's writes of rosters, run by its writer: a roster, its clock and what merging it changed, in one transaction. */
export const rosterWrites = {
  /** `names` null: an edit made here (the names and the pulled mark stay); else a pull (the roster is now one this laptop has pulled). */
  'rosters.save': (db: Db, hub: string, groupId: string, state: string, names: string | null, pending: number, clock: string, changes: string[], at: number, edit: string | null = null): void =>
    db.transaction(() => {
      if (edit !== null) db.prepare('INSERT INTO roster_edits (hub, group_id, edit, made_at) VALUES (?,?,?,?)').run(hub, groupId, edit, at);
      db.prepare(
        `INSERT INTO team_rosters (hub, group_id, state, names, pending, pulled) VALUES (?,?,?,?,?,?)
         ON CONFLICT (hub, group_id) DO UPDATE SET state = excluded.state, names = COALESCE(?, team_rosters.names), pending = excluded.pending,
           pulled = MAX(team_rosters.pulled, excluded.pulled)`,
      ).run(hub, groupId, state, names ?? '{}', pending, names === null ? 0 : 1, names);
      db.prepare('INSERT INTO roster_clocks (hub, clock) VALUES (?, ?) ON CONFLICT (hub) DO UPDATE SET clock = excluded.clock').run(hub, clock);
      for (const c of changes) db.prepare('INSERT INTO roster_merges (hub, group_id, merged_at, change) VALUES (?,?,?,?)').run(hub, groupId, at, c);
    })(),
  /** Edits made here dropped (the hub refused them): the roster goes, and the next pull brings the hub's again from the start. */
  'rosters.discard': (db: Db, hub: string, groupId: string): void =>
    db.transaction(() => {
      db.prepare('DELETE FROM team_rosters WHERE hub = ? AND group_id = ?').run(hub, groupId);
      db.prepare('DELETE FROM roster_edits WHERE hub = ? AND group_id = ?').run(hub, groupId);
      db.prepare("UPDATE hub_pull_cursors SET version = 0 WHERE hub = ? AND kind = 'rosters'").run(hub);
    })(),
  /** The hub took the groups' rosters as they were with edits up to `lastEdit`: those edits are pushed; one made meanwhile still waits. */
  'rosters.pushed': (db: Db, hub: string, groupIds: string[], lastEdit: number): void =>
    db.transaction(() => {
      for (const g of groupIds) {
        db.prepare('DELETE FROM roster_edits WHERE hub = ? AND group_id = ? AND id <= ?').run(hub, g, lastEdit);
        db.prepare('UPDATE team_rosters SET pending = EXISTS (SELECT 1 FROM roster_edits WHERE hub = ? AND group_id = ?) WHERE hub = ? AND group_id = ?').run(hub, g, hub, g);
      }
    })(),
};

/**
 * The rosters of a hub's groups as this laptop holds them (docs/team-rosters.md): edited here
 * offline (a coach at the track), pushed when online, merged with what the hub pulls. The hub
 * decides who may edit; a refused push leaves everything here as it was.
 */
export class TeamRosters {
  private readonly writer: StoreWriter;
  readonly hub: string;

  constructor(
    private readonly db: Db,
    hubUrl: string,
    private readonly now: () => number = Date.now,
  ) {
    this.writer = storeWriter(db);
    this.hub = hubKey(hubUrl);
  }

  list(): RosterView[] {
    const rows = this.db.prepare('SELECT group_id FROM team_rosters WHERE hub = ? ORDER BY group_id').all(this.hub) as { group_id: string }[];
    return rows.map((r) => this.show(r.group_id));
  }

  show(groupId: string): RosterView {
    const row = this.row(groupId);
    if (!row) throw new CompanionError('not-found', `no roster of group ${groupId} from ${this.hub} here (pitwall hub groups sync pulls them)`);
    const names = JSON.parse(row.names) as Record<string, string>;
    const merges = this.db.prepare('SELECT merged_at, change FROM roster_merges WHERE hub = ? AND group_id = ? ORDER BY id').all(this.hub, groupId) as { merged_at: number; change: string }[];
    return {
      groupId,
      name: row.roster.name?.value ?? null,
      members: rosterMembers(row.roster).map((m) => ({ ...m, name: names[m.memberId] ?? null })),
      pending: row.pending,
      names,
      unpushed: (this.db.prepare('SELECT id, edit, made_at FROM roster_edits WHERE hub = ? AND group_id = ? ORDER BY id').all(this.hub, groupId) as { id: number; edit: string; made_at: number }[]).map((e) => ({
        id: e.id,
        edit: JSON.parse(e.edit) as RosterEdit,
        madeAt: e.made_at,
      })),
      merged: merges.map((m) => ({ ...(JSON.parse(m.change) as RosterChange), mergedAt: m.merged_at })),
    };
  }

  /** One edit made here, stamped by this laptop's clock; it waits for the next sync. */
  edit(groupId: string, e: RosterEdit): RosterView {
    if (!HUB_ID.test(groupId)) throw new CompanionError('invalid-params', `"${groupId.slice(0, 40)}" is not a group id (32 hex digits)`);
    if ('memberId' in e && !HUB_ID.test(e.memberId)) throw new CompanionError('invalid-params', `"${e.memberId.slice(0, 40)}" is not a member id (32 hex digits)`);
    const cur = this.row(groupId)?.roster ?? emptyRoster();
    if (e.kind === 'remove' && !rosterMembers(cur).some((m) => m.memberId === e.memberId)) throw new CompanionError('not-found', `${e.memberId} is not in group ${groupId}`);
    const clock = tickHlc(this.clock(), this.now());
    let next: Roster;
    try {
      next = roster.parse(editRoster(cur, e, clock));
    } catch (err) {
      throw new CompanionError(e.kind === 'set-role' ? 'not-found' : 'invalid-params', (err as Error).message);
    }
    this.writer.run('rosters.save', this.hub, groupId, JSON.stringify(next), null, 1, JSON.stringify(clock), [], this.now(), JSON.stringify(e));
    return this.show(groupId);
  }

  /** Drops this laptop's roster of a group, edits not pushed included; the next sync pulls the hub's. */
  discard(groupId: string): void {
    if (!this.row(groupId)) throw new CompanionError('not-found', `no roster of group ${groupId} from ${this.hub} here`);
    this.writer.run('rosters.discard', this.hub, groupId);
  }

  /**
   * Pushes the rosters edited here, then pulls what changed on the hub after the last version
   * seen (all of it on the first sync, with `reset`, or when the hub's version is behind the
   * cursor: a hub started afresh) and merges each pulled roster into this laptop's.
   */
  async sync(client: HubClient, opts: { reset?: boolean } = {}): Promise<RosterSyncReport> {
    // The rosters and the newest edit in one read: the edits this push carries (one made during it waits for the next).
    const { rows, lastEdit } = this.db.transaction(() => ({
      rows: this.db.prepare('SELECT group_id, state FROM team_rosters WHERE hub = ? AND pending = 1 ORDER BY group_id').all(this.hub) as { group_id: string; state: string }[],
      lastEdit: (this.db.prepare('SELECT coalesce(max(id), 0) AS id FROM roster_edits WHERE hub = ?').get(this.hub) as { id: number }).id,
    }))();
    let pushed: RosterPushResult | null = null;
    if (rows.length) {
      const rosters = Object.fromEntries(rows.map((r) => [r.group_id, JSON.parse(r.state) as Roster]));
      pushed = (await client.call(HubRoutes.rosterPush, { laptop: this.clock().node, rosters }, rosterPushResult)) as RosterPushResult;
      this.writer.run('rosters.pushed', this.hub, rows.map((r) => r.group_id), lastEdit);
    }
    let after = opts.reset ? 0 : readCursor(this.db, this.hub, 'rosters').version;
    const changes: RosterChange[] = [];
    let pulled = 0;
    for (;;) {
      const page = rosterPull.parse(await client.call(HubRoutes.rosterPull, undefined, rosterPull, {}, { after: String(after), limit: String(PAGE) }));
      if (page.head < after) {
        after = 0; // the hub's versions went back: a hub started afresh; pull all
        continue;
      }
      for (const r of page.rosters) {
        changes.push(...this.mergePulled(r.groupId, r.roster, r.names));
        after = Math.max(after, r.version);
      }
      pulled += page.rosters.length;
      if (page.next === null || page.rosters.length === 0) break;
    }
    this.writer.run('hub.setCursor', this.hub, 'rosters', after, null);
    return { pushed, pulled, changes, version: after };
  }

  private mergePulled(groupId: string, theirs: Roster, names: Record<string, string>): RosterChange[] {
    const row = this.row(groupId);
    const mine = row?.roster ?? emptyRoster();
    const merged = mergeRosters(mine, theirs);
    // Before a first pull there is nothing here to merge into, except edits made here (reported only where the hub's roster changed them).
    const changes = row?.pulled ? rosterReport(groupId, mine, merged) : firstPullReport(groupId, mine, merged);
    const seen = latestRosterStamp(theirs);
    const clock = seen ? receiveHlc(this.clock(), seen, this.now()) : this.clock();
    const allNames = { ...(row ? (JSON.parse(row.names) as Record<string, string>) : {}), ...names };
    this.writer.run('rosters.save', this.hub, groupId, JSON.stringify(merged), JSON.stringify(allNames), row?.pending ? 1 : 0, JSON.stringify(clock), changes.map((c) => JSON.stringify(c)), this.now());
    return changes;
  }

  private row(groupId: string): { roster: Roster; names: string; pending: boolean; pulled: boolean } | null {
    const r = this.db.prepare('SELECT state, names, pending, pulled FROM team_rosters WHERE hub = ? AND group_id = ?').get(this.hub, groupId) as
      | { state: string; names: string; pending: number; pulled: number }
      | undefined;
    return r ? { roster: roster.parse(JSON.parse(r.state)), names: r.names, pending: r.pending === 1, pulled: r.pulled === 1 } : null;
  }

  /** This laptop's roster clock for the hub; its node id is the track book's when the laptop has one (one laptop, one id at the hub). */
  private clock(): Hlc {
    const row = this.db.prepare('SELECT clock FROM roster_clocks WHERE hub = ?').get(this.hub) as { clock: string } | undefined;
    if (row) return hlc.parse(JSON.parse(row.clock));
    const book = this.db.prepare('SELECT node FROM track_book WHERE id = 1').get() as { node: string } | undefined;
    return { ms: 0, n: 0, node: book?.node ?? `laptop-${randomBytes(6).toString('hex')}` };
  }
}
