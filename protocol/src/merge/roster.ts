import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { GroupName, GroupRole } from '../hub/team-group.js';
import { HubId } from '../hub/hub-ids.js';
import { hlcText, maxHlc, type Hlc } from './hlc.js';
import { LwwRegister, mergeOptionalLww } from './lww-register.js';
import { OrSet, emptyOrSet, mergeOrSet, orSetAdd, orSetHas, orSetRemove, orSetValues } from './or-set.js';

/**
 * A team group's roster as a state-based CRDT, edited on laptops offline and merged on the hub:
 * membership an observed-remove set of member ids (a remove takes away the adds it saw; an add it
 * did not see survives), each member's role a last-writer-wins register, the group's name one
 * too. Roles outlive a remove: a member re-added keeps the role of the add (it stamps the role).
 */
export const Roster = Type.Object(
  {
    name: Type.Optional(LwwRegister(GroupName)),
    members: OrSet,
    roles: Type.Record(HubId, LwwRegister(GroupRole), { additionalProperties: false, maxProperties: 1000 }),
  },
  { additionalProperties: false },
);
export type Roster = Static<typeof Roster>;
export const roster = validator('Roster', Roster);

export const emptyRoster = (): Roster => ({ members: emptyOrSet(), roles: {} });

export function mergeRosters(a: Roster, b: Roster): Roster {
  const roles: Roster['roles'] = {};
  for (const m of [...new Set([...Object.keys(a.roles), ...Object.keys(b.roles)])].sort()) roles[m] = mergeOptionalLww(a.roles[m], b.roles[m])!;
  const name = mergeOptionalLww(a.name, b.name);
  return { ...(name ? { name } : {}), members: mergeOrSet(a.members, b.members), roles };
}

export type RosterEdit =
  | { kind: 'add'; memberId: string; role: GroupRole }
  | { kind: 'remove'; memberId: string }
  | { kind: 'set-role'; memberId: string; role: GroupRole }
  | { kind: 'rename'; name: string };

/** One edit stamped `at` (a remove carries no stamp: it tombstones the adds this roster holds). */
export function editRoster(r: Roster, edit: RosterEdit, at: Hlc): Roster {
  switch (edit.kind) {
    case 'add':
      return { ...r, members: orSetAdd(r.members, edit.memberId, hlcText(at)), roles: { ...r.roles, [edit.memberId]: { value: edit.role, at } } };
    case 'remove':
      return { ...r, members: orSetRemove(r.members, edit.memberId) };
    case 'set-role':
      if (!orSetHas(r.members, edit.memberId)) throw new Error(`${edit.memberId} is not in this group: add them with a role`);
      return { ...r, roles: { ...r.roles, [edit.memberId]: { value: edit.role, at } } };
    case 'rename':
      return { ...r, name: { value: edit.name, at } };
  }
}

export interface RosterMember {
  memberId: string;
  role: GroupRole;
}

/** Who is in the group now, with their roles, by member id. */
export function rosterMembers(r: Roster): RosterMember[] {
  return orSetValues(r.members).flatMap((memberId) => (r.roles[memberId] ? [{ memberId, role: r.roles[memberId].value }] : []));
}

/** The latest stamp of a roster (every add stamps a role, so the registers hold every add's stamp). */
export function latestRosterStamp(r: Roster): Hlc | null {
  let last: Hlc | null = r.name?.at ?? null;
  for (const reg of Object.values(r.roles)) last = last ? maxHlc(last, reg.at) : reg.at;
  return last;
}

/** One change a merge made to a roster, as a person reads it: whose edit, made when (null: a remove, which carries no stamp). */
export const RosterChange = Type.Object(
  {
    groupId: HubId,
    change: Type.Union([Type.Literal('member-added'), Type.Literal('member-removed'), Type.Literal('role'), Type.Literal('name')]),
    memberId: Type.Union([HubId, Type.Null()]),
    from: Type.Union([Type.String(), Type.Null()]),
    to: Type.Union([Type.String(), Type.Null()]),
    by: Type.Union([Type.String(), Type.Null()]),
    atMs: Type.Union([Type.Number(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type RosterChange = Static<typeof RosterChange>;

/** What merging changed in one group's roster: `before` is this side's, `after` the merged one. */
export function rosterReport(groupId: string, before: Roster, after: Roster): RosterChange[] {
  const out: RosterChange[] = [];
  if (after.name && before.name?.value !== after.name.value) {
    out.push({ groupId, change: 'name', memberId: null, from: before.name?.value ?? null, to: after.name.value, by: after.name.at.node, atMs: after.name.at.ms });
  }
  const was = new Map(rosterMembers(before).map((m) => [m.memberId, m.role]));
  const now = new Map(rosterMembers(after).map((m) => [m.memberId, m.role]));
  for (const [m, role] of now) {
    const reg = after.roles[m]!;
    if (!was.has(m)) out.push({ groupId, change: 'member-added', memberId: m, from: null, to: role, by: reg.at.node, atMs: reg.at.ms });
    else if (was.get(m) !== role) out.push({ groupId, change: 'role', memberId: m, from: was.get(m)!, to: role, by: reg.at.node, atMs: reg.at.ms });
  }
  for (const [m, role] of was) if (!now.has(m)) out.push({ groupId, change: 'member-removed', memberId: m, from: role, to: null, by: null, atMs: null });
  return out;
}

/**
 * What a laptop's first pull of a group changed here: only what touches its own edits made before
 * it ever held the hub's roster (a member it added or re-roled, a name it gave). The rest of the
 * hub's roster was there before this laptop saw the group: nothing merged into anything here, so
 * it is not reported as an edit from elsewhere. With no edits here, nothing.
 */
export function firstPullReport(groupId: string, mine: Roster, merged: Roster): RosterChange[] {
  const touched = new Set(Object.keys(mine.roles));
  return rosterReport(groupId, mine, merged).filter((c) => (c.memberId === null ? mine.name !== undefined : touched.has(c.memberId)));
}

/** Two rosters hold the same state (key order aside). */
export const sameRoster = (a: Roster, b: Roster): boolean => canonicalJson(a) === canonicalJson(b);

/** JSON with keys sorted at every level: equal states give equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
