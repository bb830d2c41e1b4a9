import type { GroupRole, HubGroupState, HubQueuedShare, HubSharedSession, MergeChange } from '@pitwall/protocol';
import type { Db } from '../store/database.js';
import { storeWriter } from '../store/store-writer.js';

/** The pinned hub as stored (hub_link, migration 12). */
export interface HubLinkRow {
  url: string;
  publicKey: string;
  fingerprint: string;
  pinnedAt: number;
  memberName: string | null;
  organisation: string | null;
  lastSyncAt: number | null;
  lastShared: number;
  problem: string | null;
  offline: boolean;
  /** The fingerprint of another key the hub showed (refused), or null. */
  presentedKey: string | null;
  registry: { lastSyncAt: number | null; pushed: number | null; pulled: number | null; changes: MergeChange[]; error: string | null };
}

/** What a sync or a registry sync changes on the link row. */
export interface HubLinkPatch {
  memberName?: string;
  organisation?: string;
  lastSyncAt?: number;
  lastShared?: number;
  problem?: string | null;
  offline?: boolean;
  presentedKey?: string | null;
  registry?: { at: number; pushed: number; pulled: number; changes: MergeChange[] } | { error: string };
}

const COLUMNS: Record<Exclude<keyof HubLinkPatch, 'registry'>, string> = {
  memberName: 'member_name',
  organisation: 'organisation',
  lastSyncAt: 'last_sync_at',
  lastShared: 'last_shared',
  problem: 'problem',
  offline: 'offline',
  presentedKey: 'presented_key',
};

function patchLink(db: Db, patch: HubLinkPatch): void {
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const [k, col] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
    if (patch[k] === undefined) continue;
    sets.push(`${col} = ?`);
    values.push(typeof patch[k] === 'boolean' ? Number(patch[k]) : patch[k]);
  }
  const r = patch.registry;
  if (r && 'error' in r) {
    sets.push('registry_error = ?');
    values.push(r.error);
  } else if (r) {
    sets.push('registry_at = ?, registry_pushed = ?, registry_pulled = ?, registry_changes = ?, registry_error = NULL');
    values.push(r.at, r.pushed, r.pulled, JSON.stringify(r.changes));
  }
  if (sets.length > 0) db.prepare(`UPDATE hub_link SET ${sets.join(', ')} WHERE id = 1`).run(...values);
}

/** The store's writes of the Hub screen, run by its writer (store/write-ops.ts). */
export const hubStateWrites = {
  /** A new link (a new hub: its groups and queue go) or none at all (forget: cursors too). */
  'hubState.setLink': (db: Db, link: { url: string; publicKey: string; fingerprint: string; pinnedAt: number } | null): void =>
    db.transaction(() => {
      const old = db.prepare('SELECT url FROM hub_link WHERE id = 1').get() as { url: string } | undefined;
      if (old && old.url === link?.url) return;
      db.prepare('DELETE FROM hub_link').run();
      db.prepare('DELETE FROM hub_groups').run();
      db.prepare('DELETE FROM hub_share_queue').run();
      db.prepare('DELETE FROM hub_shared_sessions').run();
      if (old) db.prepare('DELETE FROM hub_group_cursors WHERE hub = ?').run(old.url);
      if (link) db.prepare('INSERT INTO hub_link (id, url, public_key, fingerprint, pinned_at) VALUES (1,?,?,?,?)').run(link.url, link.publicKey, link.fingerprint, link.pinnedAt);
    })(),
  'hubState.patchLink': (db: Db, patch: HubLinkPatch): void => patchLink(db, patch),
  /** The groups as the hub lists them: names and roles updated, groups left behind dropped, choices kept (all chosen when none was). */
  'hubState.setGroups': (db: Db, groups: { groupId: string; name: string; role: GroupRole }[]): void =>
    db.transaction(() => {
      const firstTime = (db.prepare('SELECT count(*) AS n FROM hub_groups').get() as { n: number }).n === 0;
      db.prepare(`DELETE FROM hub_groups WHERE group_id NOT IN (SELECT value FROM json_each(?))`).run(JSON.stringify(groups.map((g) => g.groupId)));
      const up = db.prepare('INSERT INTO hub_groups (group_id, name, role, chosen) VALUES (?,?,?,?) ON CONFLICT (group_id) DO UPDATE SET name = excluded.name, role = excluded.role');
      for (const g of groups) up.run(g.groupId, g.name, g.role, firstTime ? 1 : 0);
    })(),
  'hubState.choose': (db: Db, groupIds: string[]): void => {
    db.prepare('UPDATE hub_groups SET chosen = (group_id IN (SELECT value FROM json_each(?)))').run(JSON.stringify(groupIds));
  },
  'hubState.groupResult': (db: Db, groupId: string, at: number, changed: number | null, error: string | null): void => {
    if (error === null) db.prepare('UPDATE hub_groups SET last_sync_at = ?, changed = ?, error = NULL WHERE group_id = ?').run(at, changed, groupId);
    else db.prepare('UPDATE hub_groups SET error = ? WHERE group_id = ?').run(error, groupId);
  },
  'hubState.enqueue': (db: Db, sessions: number[], groups: string[], at: number): void =>
    db.transaction(() => {
      const put = db.prepare('INSERT INTO hub_share_queue (session, groups, queued_at) VALUES (?,?,?) ON CONFLICT (session) DO UPDATE SET groups = excluded.groups, queued_at = excluded.queued_at, error = NULL');
      for (const s of sessions) put.run(s, JSON.stringify(groups), at);
    })(),
  /** The hub took a queued session: it leaves the queue and is remembered as shared. */
  'hubState.shared': (db: Db, session: number, groups: string[], at: number): void =>
    db.transaction(() => {
      db.prepare('DELETE FROM hub_share_queue WHERE session = ?').run(session);
      db.prepare('INSERT INTO hub_shared_sessions (session, groups, shared_at) VALUES (?,?,?) ON CONFLICT (session) DO UPDATE SET groups = excluded.groups, shared_at = excluded.shared_at').run(session, JSON.stringify(groups), at);
    })(),
  'hubState.dequeue': (db: Db, session: number): void => void db.prepare('DELETE FROM hub_share_queue WHERE session = ?').run(session),
  'hubState.queueError': (db: Db, session: number, error: string): void => void db.prepare('UPDATE hub_share_queue SET error = ? WHERE session = ?').run(error, session),
};

/** Reads the Hub screen's state; writes go through the store's writer. */
export class HubState {
  constructor(private readonly db: Db) {}

  write<K extends keyof typeof hubStateWrites>(op: K, ...args: Parameters<(typeof hubStateWrites)[K]> extends [Db, ...infer A] ? A : never): void {
    (storeWriter(this.db).run as (op: string, ...a: unknown[]) => unknown)(op, ...args);
  }

  link(): HubLinkRow | null {
    const r = this.db.prepare('SELECT * FROM hub_link WHERE id = 1').get() as Record<string, unknown> | undefined;
    if (!r) return null;
    return {
      url: r.url as string,
      publicKey: r.public_key as string,
      fingerprint: r.fingerprint as string,
      pinnedAt: r.pinned_at as number,
      memberName: r.member_name as string | null,
      organisation: r.organisation as string | null,
      lastSyncAt: r.last_sync_at as number | null,
      lastShared: r.last_shared as number,
      problem: r.problem as string | null,
      offline: r.offline === 1,
      presentedKey: r.presented_key as string | null,
      registry: {
        lastSyncAt: r.registry_at as number | null,
        pushed: r.registry_pushed as number | null,
        pulled: r.registry_pulled as number | null,
        changes: JSON.parse(r.registry_changes as string) as MergeChange[],
        error: r.registry_error as string | null,
      },
    };
  }

  groups(): HubGroupState[] {
    const rows = this.db.prepare('SELECT * FROM hub_groups ORDER BY name, group_id').all() as Record<string, unknown>[];
    return rows.map((r) => ({
      groupId: r.group_id as string,
      name: r.name as string,
      role: r.role as GroupRole,
      chosen: r.chosen === 1,
      lastSyncAt: r.last_sync_at as number | null,
      changed: r.changed as number | null,
      error: r.error as string | null,
    }));
  }

  shared(): HubSharedSession[] {
    const rows = this.db.prepare('SELECT * FROM hub_shared_sessions ORDER BY session').all() as Record<string, unknown>[];
    return rows.map((r) => ({ session: r.session as number, groups: JSON.parse(r.groups as string) as string[], sharedAt: r.shared_at as number }));
  }

  queue(label: (session: number) => string): HubQueuedShare[] {
    const rows = this.db.prepare('SELECT * FROM hub_share_queue ORDER BY queued_at, session').all() as Record<string, unknown>[];
    return rows.map((r) => ({
      session: r.session as number,
      label: label(r.session as number),
      groups: JSON.parse(r.groups as string) as string[],
      queuedAt: r.queued_at as number,
      error: r.error as string | null,
    }));
  }
}
