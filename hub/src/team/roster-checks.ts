import { compareHlc, type Hlc, type Roster, type RosterPush } from '@pitwall/protocol';
import { HubRefusal } from '../hub-refusal.js';
import { STAMP_AHEAD_MAX_MS } from '../registry/push-checks.js';
import { HUB_NODE } from './roster-store.js';

const TAG = /^(\d{16})\.([0-9a-f]{8})\.([a-z0-9-]{1,64})$/;
const HUB_ID = /^[0-9a-f]{32}$/;

const invalid = (groupId: string, why: string) => new HubRefusal(400, 'invalid-roster', `The roster of group ${groupId} ${why}. Nothing was merged.`);

/** The stamp an add's tag carries (hlcText), or null when it is not one. */
export function tagStamp(tag: string): Hlc | null {
  const m = TAG.exec(tag);
  return m ? { ms: Number(m[1]), n: parseInt(m[2]!, 16), node: m[3]! } : null;
}

/**
 * The checks a roster push passes before the database is touched: not as the hub's own node;
 * every add's tag a stamp, used for one member only, with that member's role; no stamp far in
 * the future (it would win every later edit and drag every laptop's clock along).
 */
export function checkRosterPushAlone(push: RosterPush, nowMs: number): void {
  if (push.laptop === HUB_NODE) throw new HubRefusal(400, 'reserved-laptop-id', `"${HUB_NODE}" names the hub's own edits, not a laptop. Nothing was merged.`);
  for (const [groupId, r] of Object.entries(push.rosters)) {
    const owner = new Map<string, string>();
    for (const [memberId, tags] of Object.entries(r.members.adds)) {
      if (!HUB_ID.test(memberId)) throw invalid(groupId, `adds "${memberId.slice(0, 40)}", which is not a member id`);
      if (!r.roles[memberId]) throw invalid(groupId, `adds ${memberId} without a role`);
      for (const tag of tags) {
        const at = tagStamp(tag);
        if (!at) throw invalid(groupId, `adds ${memberId} with a tag that is not a stamp`);
        if (owner.has(tag) && owner.get(tag) !== memberId) throw invalid(groupId, `uses one add's tag for two members`);
        owner.set(tag, memberId);
        if (at.ms > nowMs + STAMP_AHEAD_MAX_MS) throw stampInFuture(groupId, at);
      }
    }
    for (const reg of [r.name, ...Object.values(r.roles)]) if (reg && reg.at.ms > nowMs + STAMP_AHEAD_MAX_MS) throw stampInFuture(groupId, reg.at);
  }
}

const stampInFuture = (groupId: string, at: Hlc) =>
  new HubRefusal(400, 'stamp-in-future', `An edit of group ${groupId} is stamped ${new Date(at.ms).toISOString()}, more than a day after the hub's clock. Nothing was merged.`);

/**
 * The checks against the hub's roster: whatever the push brings that the hub has not seen must
 * be the pushing laptop's own edit (a laptop pushes its own edits; a coach cannot launder another
 * laptop's or forge the hub's), no stamp the hub holds may come with another value (a forged
 * edit), and a remove takes away only adds that exist. Returns the member ids the push adds that
 * the hub's roster never held (the caller checks they are the academy's).
 */
export function checkRosterPushAgainst(groupId: string, cur: Roster, pushed: Roster, laptop: string): string[] {
  const foreign = (what: string, node: string) =>
    new HubRefusal(409, 'edit-of-another-laptop', `The roster of group ${groupId} carries ${what} made on ${node}, which the hub never had: a laptop pushes its own edits. Nothing was merged.`);
  const known = new Map<string, string>();
  for (const [m, tags] of Object.entries(cur.members.adds)) for (const t of tags) known.set(t, m);
  const newMembers: string[] = [];
  for (const [memberId, tags] of Object.entries(pushed.members.adds)) {
    if (!cur.members.adds[memberId]) newMembers.push(memberId);
    for (const tag of tags) {
      const holder = known.get(tag);
      if (holder === memberId) continue;
      if (holder !== undefined) throw new HubRefusal(409, 'conflicting-edit', `The roster of group ${groupId} uses the tag of an add the hub holds for another member: a forged edit. Nothing was merged.`);
      const node = tagStamp(tag)!.node;
      if (node !== laptop) throw foreign(`an add of ${memberId}`, node);
      known.set(tag, memberId);
    }
  }
  type Reg = { value: unknown; at: Hlc } | undefined;
  const registers: [string, Reg, Reg][] = [['the name', cur.name, pushed.name], ...Object.entries(pushed.roles).map(([m, reg]): [string, Reg, Reg] => [`the role of ${m}`, cur.roles[m], reg])];
  for (const [what, held, reg] of registers) {
    if (!reg) continue;
    const order = held ? compareHlc(reg.at, held.at) : 1;
    if (order === 0 && JSON.stringify(held!.value) !== JSON.stringify(reg.value)) {
      throw new HubRefusal(409, 'conflicting-edit', `${what} in group ${groupId} carries the stamp of an edit the hub holds with another value: a forged edit. Nothing was merged.`);
    }
    if (order > 0 && reg.at.node !== laptop) throw foreign(`an edit of ${what}`, reg.at.node);
  }
  const removedBefore = new Set(cur.members.removed);
  for (const tag of pushed.members.removed) if (!removedBefore.has(tag) && !known.has(tag)) throw invalid(groupId, 'removes an add that neither it nor the hub holds');
  return newMembers;
}
