import type { Kysely } from 'kysely';
import type { BookGroup, BookTrack, RegistryTrackPull, RegistryTrackVersion, TrackSignature } from '@pitwall/protocol';
import type { HubTables } from '../db/tables.js';
import type { Member } from '../organisations/members.js';

export const PULL_PAGE_DEFAULT = 50;
const HISTORY_MAX = 20;

/** The caller's organisation's registry entries changed after `after`, oldest change first, one page. */
export async function pullRegistry(db: Kysely<HubTables>, member: Member, after: number, limit = PULL_PAGE_DEFAULT): Promise<RegistryTrackPull> {
  const org = member.organisationId;
  const rows = await db
    .selectFrom('registry_entries')
    .selectAll()
    .where('organisation_id', '=', org)
    .where('version', '>', after)
    .orderBy('version')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const out: RegistryTrackPull = { entries: [], groups: [], next: rows.length > limit ? Number(page.at(-1)!.version) : null };
  for (const r of page) {
    const version = Number(r.version);
    if (r.kind === 'group') {
      out.groups.push({ key: r.key, group: JSON.parse(r.value) as BookGroup, version });
      continue;
    }
    const history = await db
      .selectFrom('registry_versions')
      .select(['version', 'author', 'laptop', 'at', 'fields'])
      .where('organisation_id', '=', org)
      .where('kind', '=', 'track')
      .where('key', '=', r.key)
      .orderBy('version', 'desc')
      .limit(HISTORY_MAX)
      .execute();
    const signature = JSON.parse(r.signature!) as TrackSignature;
    out.entries.push({
      key: r.key,
      id: r.registry_id!,
      aliases: JSON.parse(r.aliases ?? '[]') as string[],
      track: JSON.parse(r.value) as BookTrack,
      signature: { id: signature.id, direction: signature.direction, lengthM: signature.lengthM, centroid: signature.centroid, points: signature.points },
      version,
      history: history.map((h): RegistryTrackVersion => ({ version: Number(h.version), author: h.author, laptop: h.laptop, at: h.at, fields: JSON.parse(h.fields) as RegistryTrackVersion['fields'] })),
    });
  }
  return out;
}
