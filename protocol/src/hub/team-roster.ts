import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { Hlc } from '../merge/hlc.js';
import { Roster } from '../merge/roster.js';
import { HubId } from './hub-ids.js';

/**
 * Team rosters edited offline (docs/team-rosters.md): a coach's laptop pushes the rosters it
 * edited (the CRDT state, protocol/src/merge/roster.ts); the hub merges each with its own and the
 * group's members follow the merged state. A companion pulls what changed after a version.
 */

/** The most groups one push carries. */
export const ROSTER_PUSH_GROUPS_MAX = 100;
export const ROSTER_PUSH_MAX_B = 4 * 1024 * 1024;

/** `POST /hub/v1/rosters`: the laptop (its clock's node id) and the rosters it edited, by group id. */
export const RosterPush = Type.Object(
  {
    laptop: Hlc.properties.node,
    rosters: Type.Record(HubId, Roster, { additionalProperties: false, minProperties: 1, maxProperties: ROSTER_PUSH_GROUPS_MAX }),
  },
  { additionalProperties: false },
);
export type RosterPush = Static<typeof RosterPush>;
export const rosterPush = validator('RosterPush', RosterPush);

const Version = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const RosterPushResult = Type.Object(
  {
    groups: Type.Array(Type.Object({ groupId: HubId, version: Version, outcome: Type.Union([Type.Literal('merged'), Type.Literal('unchanged')]) }, { additionalProperties: false }), {
      maxItems: ROSTER_PUSH_GROUPS_MAX,
    }),
    /** The organisation's roster version after the push. */
    version: Version,
  },
  { additionalProperties: false },
);
export type RosterPushResult = Static<typeof RosterPushResult>;
export const rosterPushResult = validator('RosterPushResult', RosterPushResult);

/** `GET /hub/v1/rosters?after=VERSION&limit=N`. */
export const RosterPullQuery = Type.Object(
  {
    after: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,14})$' })),
    limit: Type.Optional(Type.String({ pattern: '^([1-9]|[1-9][0-9]|100)$' })),
  },
  { additionalProperties: false },
);
export type RosterPullQuery = Static<typeof RosterPullQuery>;
export const rosterPullQuery = validator('RosterPullQuery', RosterPullQuery);

/**
 * The rosters the caller may read (every group of the academy for its admin, else the groups the
 * caller is in) changed after a version, oldest first; names of the members each holds; `head`,
 * the organisation's newest version (a cursor past it means the hub was reset: pull all again).
 */
export const RosterPull = Type.Object(
  {
    rosters: Type.Array(
      Type.Object(
        { groupId: HubId, roster: Roster, names: Type.Record(HubId, Type.String({ maxLength: 200 }), { additionalProperties: false }), version: Version },
        { additionalProperties: false },
      ),
      { maxItems: 100 },
    ),
    next: Type.Union([Version, Type.Null()]),
    head: Version,
  },
  { additionalProperties: false },
);
export type RosterPull = Static<typeof RosterPull>;
export const rosterPull = validator('RosterPull', RosterPull);
