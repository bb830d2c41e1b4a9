import { CompanionError, type GroupRole } from '@pitwall/protocol';
import { HubCallError, type HubClient } from '@pitwall/protocol/node';
import type { Db } from '../store/database.js';
import { storeWriter } from '../store/store-writer.js';
import { memberGroupsOf } from './hub-link.js';
import { hubKey } from './pull-cursors.js';

/** One group a member is in, as the hub last said (name and role null: an id given by hand that the member's list does not name). */
export interface SyncGroup {
  groupId: string;
  name: string | null;
  role: GroupRole | null;
}

export interface MemberGroupsSeen {
  groups: SyncGroup[];
  /** When the hub said so: null when it answered now, else when this store last heard it (the hub is out of reach). */
  seenAt: number | null;
}

const HUB_ID = /^[0-9a-f]{32}$/;

/** The store's writes of the groups a member was last seen in, run by its writer (store/write-ops.ts). */
export const syncGroupWrites = {
  'hub.seenGroups': (db: Db, hub: string, groups: { groupId: string; name: string; role: GroupRole }[], at: number): void =>
    db.transaction(() => {
      db.prepare('DELETE FROM hub_member_groups WHERE hub = ?').run(hub);
      const put = db.prepare('INSERT INTO hub_member_groups (hub, group_id, name, role, seen_at) VALUES (?,?,?,?,?)');
      for (const g of groups) put.run(hub, g.groupId, g.name, g.role, at);
    })(),
};

/**
 * The groups the token's member is in: the hub's answer now (kept here for the next time), or,
 * when the hub cannot be reached, the groups this store last heard of from that hub. A refusal
 * (a token the hub does not know) is thrown, never answered from the store.
 */
export async function memberGroupsForSync(db: Db, client: HubClient, now: () => number = Date.now): Promise<MemberGroupsSeen> {
  const hub = hubKey(client.baseUrl);
  try {
    const me = await memberGroupsOf(client);
    storeWriter(db).run('hub.seenGroups', hub, me.groups, now());
    return { groups: me.groups, seenAt: null };
  } catch (err) {
    if (!(err instanceof HubCallError && err.code === 'unreachable')) throw err;
    const rows = db.prepare('SELECT group_id, name, role, seen_at FROM hub_member_groups WHERE hub = ? ORDER BY name, group_id').all(hub) as { group_id: string; name: string; role: GroupRole; seen_at: number }[];
    const seen = (db.prepare('SELECT max(seen_at) AS at FROM hub_member_groups WHERE hub = ?').get(hub) as { at: number | null }).at;
    if (seen === null) throw new CompanionError('unreachable', `the hub at ${hub} cannot be reached and this store has not seen your groups on it yet: sync once online, or name the groups by id (--group ID)`);
    return { groups: rows.map((r) => ({ groupId: r.group_id, name: r.name, role: r.role })), seenAt: seen };
  }
}

/** A group as a refusal names it: its name without control characters, and its id. */
const shown = (g: SyncGroup) => `"${(g.name ?? '').replace(/\p{Cc}/gu, ' ')}" (${g.groupId})`;

/**
 * `--group` words: a group id (32 hex digits) as it is (the hub decides whether the member may
 * read it), else the name of one of the member's groups: exact first, then ignoring case. A name
 * no group has, or two groups have, is refused with the member's groups named.
 */
export function resolveSyncGroups(words: readonly string[], mine: readonly SyncGroup[]): SyncGroup[] {
  const out = new Map<string, SyncGroup>();
  for (const word of words) {
    if (HUB_ID.test(word)) {
      out.set(word, mine.find((g) => g.groupId === word) ?? { groupId: word, name: null, role: null });
      continue;
    }
    const exact = mine.filter((g) => g.name === word);
    const found = exact.length ? exact : mine.filter((g) => g.name?.toLowerCase() === word.trim().toLowerCase());
    const asked = `"${word.slice(0, 80).replace(/\p{Cc}/gu, ' ')}"`;
    if (found.length === 0) {
      const list = mine.length ? `your groups: ${mine.map(shown).join(', ')}` : 'you are in no group on this hub';
      throw new CompanionError('invalid-params', `no group of yours is named ${asked} (${list})`);
    }
    if (found.length > 1) throw new CompanionError('conflict', `${found.length} of your groups are named ${asked}: give the one you mean by id (${found.map(shown).join(', ')})`);
    out.set(found[0]!.groupId, found[0]!);
  }
  return [...out.values()];
}
