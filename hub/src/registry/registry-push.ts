import { sql, type Kysely, type Transaction } from 'kysely';
import { mergeBooks, resolveTrackIds, signatureKeyOf, trackSignature, type RegistryTrackPush, type RegistryTrackPushResult, type TrackSignature } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import { nowIso } from '../db/ids.js';
import { HubRefusal } from '../hub-refusal.js';
import type { Member } from '../organisations/members.js';
import { readCanonicalBook } from './canonical-book.js';
import { checkPushAgainst, checkPushAlone, ownHighWater, registersOf } from './push-checks.js';

const TRACK_FIELDS = ['geometry', 'name', 'sectors', 'deleted'] as const;
const ALIASES_MAX = 100;

/**
 * Merges a laptop's book into its organisation's canonical book: checked alone, then against the
 * registry, in one transaction that holds the organisation's head row (its pushes apply one at a
 * time, in every hub process); refused, nothing is written. The merge is the laptops' own
 * (`mergeBooks`); every track's signature is recomputed from its merged geometry and all of the
 * organisation's tracks are resolved together (`resolveTrackIds`, a function of the set), so the
 * result does not depend on the order pushes came in. Each changed entry gets the next version.
 */
export async function pushBook(db: Kysely<HubTables>, member: Member, push: RegistryTrackPush, nowMs: number): Promise<RegistryTrackPushResult> {
  const pushed = checkPushAlone(push, nowMs);
  const org = member.organisationId;
  return db.transaction().execute(async (trx) => {
    await trx.insertInto('registry_heads').values({ organisation_id: org, version: 0 }).onConflict((oc) => oc.column('organisation_id').doNothing()).execute();
    await trx.updateTable('registry_heads').set({ version: sql`version` }).where('organisation_id', '=', org).execute();
    const head = Number((await trx.selectFrom('registry_heads').select('version').where('organisation_id', '=', org).executeTakeFirstOrThrow()).version);
    await claimLaptop(trx, member, push.laptop);

    const canonical = await readCanonicalBook(trx, org);
    checkPushAgainst(canonical.book, push.book, await highWaters(trx, org, push));
    const merged = mergeBooks(canonical.book, push.book);

    const signatures = new Map<string, TrackSignature>();
    for (const [key, t] of Object.entries(merged.tracks)) {
      const stored = canonical.tracks.get(key);
      const same = stored && JSON.stringify(canonical.book.tracks[key]!.geometry) === JSON.stringify(t.geometry);
      signatures.set(key, same ? stored.signature : t.geometry === push.book.tracks[key]?.geometry ? pushed.get(key)! : trackSignature(t.geometry.value)!);
    }
    const resolved = resolveTrackIds([...signatures.values()]);
    const idOf = (key: string) => resolved.get(signatureKeyOf(signatures.get(key)!))!;
    const classes = new Map<string, Set<string>>();
    for (const [key, sig] of signatures) {
      const id = idOf(key);
      if (!classes.has(id)) classes.set(id, new Set());
      classes.get(id)!.add(sig.id);
    }

    let version = head;
    const at = nowIso(nowMs);
    const result: RegistryTrackPushResult = { tracks: [], version: head };
    const write = async (kind: 'track' | 'group', key: string, value: string, fields: string[], extra: { registry_id: string | null; aliases: string | null; signature: string | null }) => {
      version += 1;
      const row = { organisation_id: org, kind, key, value, version, ...extra };
      await trx
        .insertInto('registry_entries')
        .values(row)
        .onConflict((oc) => oc.columns(['organisation_id', 'kind', 'key']).doUpdateSet({ value, version, ...extra }))
        .execute();
      await trx
        .insertInto('registry_versions')
        .values({ organisation_id: org, version, kind, key, member_id: member.id, author: member.name.slice(0, 120), laptop: push.laptop, at, fields: JSON.stringify(fields) })
        .execute();
      return version;
    };

    for (const key of Object.keys(merged.tracks).sort()) {
      const t = merged.tracks[key]!;
      const before = canonical.book.tracks[key];
      const stored = canonical.tracks.get(key);
      const registryId = idOf(key);
      const aliases = [...classes.get(registryId)!].filter((id) => id !== registryId).sort().slice(0, ALIASES_MAX);
      const fields = TRACK_FIELDS.filter((f) => JSON.stringify(before?.[f]) !== JSON.stringify(t[f]));
      const changed = !stored || fields.length > 0 || stored.registryId !== registryId || JSON.stringify(stored.aliases) !== JSON.stringify(aliases);
      const v = changed
        ? await write('track', key, JSON.stringify(t), fields, { registry_id: registryId, aliases: JSON.stringify(aliases), signature: JSON.stringify(signatures.get(key)) })
        : stored.version;
      if (push.book.tracks[key]) result.tracks.push({ key, registryId, version: v, outcome: !stored ? 'registered' : fields.length ? 'merged' : 'unchanged' });
    }
    for (const key of Object.keys(merged.groups).sort()) {
      const value = JSON.stringify(merged.groups[key]);
      if (value !== JSON.stringify(canonical.book.groups[key])) await write('group', key, value, [], { registry_id: null, aliases: null, signature: null });
    }
    if (version !== head) await trx.updateTable('registry_heads').set({ version }).where('organisation_id', '=', org).execute();
    const hw = ownHighWater(push.book, push.laptop);
    await trx.updateTable('registry_laptops').set({ high_water: hw }).where('organisation_id', '=', org).where('node', '=', push.laptop).where('high_water', '<', hw).execute();
    result.version = version;
    return result;
  });
}

/**
 * A laptop belongs, in each organisation, to the member who first pushed from it: another member
 * of the organisation naming it is refused. Per organisation, so that a member of another
 * academy who learnt a laptop's id cannot take it first and lock the laptop out.
 */
export async function claimLaptop(trx: Transaction<HubTables>, member: Member, node: string): Promise<void> {
  await trx
    .insertInto('registry_laptops')
    .values({ node, member_id: member.id, organisation_id: member.organisationId, high_water: '' })
    .onConflict((oc) => oc.columns(['organisation_id', 'node']).doNothing())
    .execute();
  const owner = await trx.selectFrom('registry_laptops').select('member_id').where('organisation_id', '=', member.organisationId).where('node', '=', node).executeTakeFirstOrThrow();
  if (owner.member_id !== member.id) throw new HubRefusal(403, 'laptop-of-another-member', `Laptop ${node} pushes for another member of your organisation. Nothing was merged.`);
}

/** The high water of each laptop of the organisation whose edits the push carries. */
async function highWaters(trx: Transaction<HubTables>, org: string, push: RegistryTrackPush): Promise<Map<string, string>> {
  const nodes = [...new Set([...registersOf(push.book)].map((r) => r.reg.at.node))];
  const out = new Map<string, string>();
  for (let i = 0; i < nodes.length; i += 500) {
    const rows = await trx.selectFrom('registry_laptops').select(['node', 'high_water']).where('organisation_id', '=', org).where('node', 'in', nodes.slice(i, i + 500)).execute();
    for (const r of rows) if (r.high_water) out.set(r.node, r.high_water);
  }
  return out;
}

