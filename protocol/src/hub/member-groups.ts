import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { HubId } from './hub-ids.js';
import { GroupName, GroupRole } from './team-group.js';

/**
 * GET /hub/v1/me: who the token belongs to and the groups they are in with their role in each,
 * so a companion checks its token and lets a person choose the groups to sync.
 */
export const MemberGroups = Type.Object(
  {
    memberId: HubId,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    organisation: Type.Object({ id: HubId, name: Type.String({ minLength: 1, maxLength: 200 }), kind: Type.String({ maxLength: 40 }) }, { additionalProperties: false }),
    groups: Type.Array(Type.Object({ groupId: HubId, name: GroupName, role: GroupRole }, { additionalProperties: false }), { maxItems: 10_000 }),
  },
  { additionalProperties: false },
);
export type MemberGroups = Static<typeof MemberGroups>;
export const memberGroups = validator('MemberGroups', MemberGroups);
