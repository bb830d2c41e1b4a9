import { Type, type Static } from '@sinclair/typebox';
import { HubId } from '../hub/hub-ids.js';
import { GroupName, GroupRole } from '../hub/team-group.js';
import { RosterChange } from '../merge/roster.js';

/** The rosters of the connected hub's groups as this laptop holds them (methods `hub:rosters`, `hub:roster-edit`, …; docs/team-rosters.md). */
const Empty = Type.Object({}, { additionalProperties: false });
const Sentence = Type.String({ maxLength: 1200 });

/** A change a merge brought from elsewhere, with when this laptop merged it and a sentence for a person. */
export const HubRosterMerged = Type.Object(
  { ...RosterChange.properties, mergedAt: Type.Number(), sentence: Sentence },
  { additionalProperties: false },
);
export type HubRosterMerged = Static<typeof HubRosterMerged>;

export const HubRosterEdit = Type.Union([
  Type.Object({ kind: Type.Literal('add'), memberId: HubId, role: GroupRole }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('remove'), memberId: HubId }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('set-role'), memberId: HubId, role: GroupRole }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('rename'), name: GroupName }, { additionalProperties: false }),
]);
export type HubRosterEdit = Static<typeof HubRosterEdit>;

/** One edit made here that the hub has not taken yet, with when it was made and a sentence for a person. */
export const HubRosterUnpushed = Type.Object({ id: Type.Integer(), edit: HubRosterEdit, madeAt: Type.Number(), sentence: Sentence }, { additionalProperties: false });
export type HubRosterUnpushed = Static<typeof HubRosterUnpushed>;

export const HubRoster = Type.Object(
  {
    groupId: HubId,
    name: Type.Union([Type.String(), Type.Null()]),
    members: Type.Array(Type.Object({ memberId: HubId, name: Type.Union([Type.String(), Type.Null()]), role: GroupRole }, { additionalProperties: false })),
    /** Edits made here that the hub has not taken yet. */
    pending: Type.Boolean(),
    /** Those edits one by one, oldest first (a roster marked before the companion kept them one by one lists none). */
    unpushed: Type.Array(HubRosterUnpushed),
    /** The connected member may edit it (the academy's admin, or a coach of the group). */
    editable: Type.Boolean(),
    /** What merges changed here that came from elsewhere, newest first. */
    merged: Type.Array(HubRosterMerged),
  },
  { additionalProperties: false },
);
export type HubRoster = Static<typeof HubRoster>;

export const HubRostersStatus = Type.Object(
  {
    hubUrl: Type.Union([Type.String(), Type.Null()]),
    rosters: Type.Array(HubRoster),
    /** What the last sync of rosters did (this run of the companion), as a sentence (null: none yet). */
    lastSync: Type.Union([Sentence, Type.Null()]),
  },
  { additionalProperties: false },
);
export type HubRostersStatus = Static<typeof HubRostersStatus>;

export const hubRostersMethods = {
  'hub:rosters': { params: Empty, result: HubRostersStatus },
  /** One edit made here, offline if need be; the next roster sync pushes it. Refused unless the member may edit the group. */
  'hub:roster-edit': { params: Type.Object({ groupId: HubId, edit: HubRosterEdit }, { additionalProperties: false }), result: HubRostersStatus },
  /** Drops this laptop's roster of a group, edits not pushed included (a refused push); the next sync pulls the hub's. */
  'hub:roster-discard': { params: Type.Object({ groupId: HubId }, { additionalProperties: false }), result: HubRostersStatus },
  /** Pushes the rosters edited here, pulls and merges the hub's (the pinned key checked first). */
  'hub:rosters-sync': { params: Empty, result: HubRostersStatus },
} as const;
