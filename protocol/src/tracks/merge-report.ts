import { Type, type Static } from '@sinclair/typebox';
import { orSetValues } from '../merge/or-set.js';
import type { TrackBook } from './track-book.js';

/** One value a merge changed: which track or group, which field, from what to what, whose edit. */
export const MergeChange = Type.Object(
  {
    entity: Type.Union([Type.Literal('track'), Type.Literal('group')]),
    key: Type.String(),
    field: Type.Union([Type.Literal('geometry'), Type.Literal('name'), Type.Literal('sectors'), Type.Literal('deleted'), Type.Literal('created'), Type.Literal('member-added'), Type.Literal('member-removed')]),
    /** A short text of the value before (null: there was none). */
    from: Type.Union([Type.String(), Type.Null()]),
    to: Type.Union([Type.String(), Type.Null()]),
    /** The laptop whose edit won, and when it was made (ms since the epoch); null for membership. */
    by: Type.Union([Type.String(), Type.Null()]),
    atMs: Type.Union([Type.Number(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type MergeChange = Static<typeof MergeChange>;

const TRACK_FIELDS = ['name', 'sectors', 'geometry', 'deleted'] as const;

/** What merging changed in a book: `before` is this laptop's, `after` the merged one. */
export function mergeReport(before: TrackBook, after: TrackBook): MergeChange[] {
  const out: MergeChange[] = [];
  for (const [key, t] of Object.entries(after.tracks)) {
    const old = before.tracks[key];
    if (!old) {
      out.push({ entity: 'track', key, field: 'created', from: null, to: t.name.value, by: t.name.at.node, atMs: t.name.at.ms });
      continue;
    }
    for (const field of TRACK_FIELDS) {
      const [was, now] = [old[field], t[field]];
      if (!now || JSON.stringify(was?.value) === JSON.stringify(now.value)) continue;
      out.push({ entity: 'track', key, field, from: was ? describe(field, was.value) : null, to: describe(field, now.value), by: now.at.node, atMs: now.at.ms });
    }
  }
  for (const [key, g] of Object.entries(after.groups)) {
    const old = before.groups[key];
    if (g.name && JSON.stringify(old?.name?.value) !== JSON.stringify(g.name.value)) {
      out.push({ entity: 'group', key, field: 'name', from: old?.name?.value ?? null, to: g.name.value, by: g.name.at.node, atMs: g.name.at.ms });
    }
    const was = new Set(old ? orSetValues(old.members) : []);
    const now = new Set(orSetValues(g.members));
    for (const m of now) if (!was.has(m)) out.push({ entity: 'group', key, field: 'member-added', from: null, to: m, by: null, atMs: null });
    for (const m of was) if (!now.has(m)) out.push({ entity: 'group', key, field: 'member-removed', from: m, to: null, by: null, atMs: null });
  }
  return out;
}

function describe(field: (typeof TRACK_FIELDS)[number], value: unknown): string {
  if (field === 'sectors') return `${(value as unknown[]).length} sector lines`;
  if (field === 'geometry') return `outline of ${Math.round((value as { lengthM: number }).lengthM)} m`;
  return String(value);
}
