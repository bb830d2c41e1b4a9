import type { Kysely } from 'kysely';
import { mergeRosters, roster, sameRoster, type RosterPush, type RosterPushResult } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import { HubRefusal } from '../hub-refusal.js';
import type { Member } from '../organisations/members.js';
import { claimLaptop } from '../registry/registry-push.js';
import { noSuchGroup, roleIn } from './groups.js';
import { checkRosterPushAgainst, checkRosterPushAlone } from './roster-checks.js';
import { lockRosterHead, readRoster, rosterFull, setRosterHead, writeRoster } from './roster-store.js';

/**
 * Merges the rosters a laptop edited offline into the hub's, in one transaction that holds the
 * academy's roster head; every group checked before any is written (the caller is the academy's
 * admin or the group's coach, the edits are the laptop's own, the members it adds are the
 * academy's): one refusal and nothing is written. The merge is the laptops' own (`mergeRosters`),
 * so the hub's roster does not depend on the order pushes and online edits came in.
 */
export async function pushRosters(db: Kysely<HubTables>, member: Member, push: RosterPush, nowMs: number): Promise<RosterPushResult> {
  checkRosterPushAlone(push, nowMs);
  const org = member.organisationId;
  return db.transaction().execute(async (trx) => {
    const head = await lockRosterHead(trx, org);
    await claimLaptop(trx, member, push.laptop);
    const plans = [];
    for (const groupId of Object.keys(push.rosters).sort()) {
      const cur = await readRoster(trx, org, groupId, nowMs);
      if (!cur) throw noSuchGroup();
      if (member.role !== 'admin' && (await roleIn(trx, member, groupId)) !== 'coach') {
        throw new HubRefusal(403, 'not-a-coach', `Only the academy's admin or a coach of group ${groupId} edits its roster. Nothing was merged.`);
      }
      const pushed = push.rosters[groupId]!;
      const added = checkRosterPushAgainst(groupId, cur.roster, pushed, push.laptop);
      if (added.length) {
        const found = await trx.selectFrom('members').select('id').where('organisation_id', '=', org).where('id', 'in', added).execute();
        if (found.length !== added.length) throw new HubRefusal(404, 'no-such-member', `The roster of group ${groupId} adds someone who is not a member of your academy. Nothing was merged.`);
      }
      const merged = mergeRosters(cur.roster, pushed);
      if (!roster.is(merged)) throw rosterFull(groupId);
      plans.push({ groupId, before: cur.roster, after: merged, version: cur.version });
    }
    let version = head;
    const result: RosterPushResult = { groups: [], version: head };
    for (const p of plans) {
      if (sameRoster(p.before, p.after)) {
        result.groups.push({ groupId: p.groupId, version: p.version, outcome: 'unchanged' });
        continue;
      }
      version += 1;
      await writeRoster(trx, org, p.groupId, p.before, p.after, version);
      result.groups.push({ groupId: p.groupId, version, outcome: 'merged' });
    }
    if (version !== head) await setRosterHead(trx, org, version);
    result.version = version;
    return result;
  });
}
