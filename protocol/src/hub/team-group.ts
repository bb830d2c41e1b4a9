import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { HubId, HubTime } from './hub-ids.js';

/**
 * Team mode: an academy's groups (a team, a class of students). A member's role in a group:
 * `coach` (manages the group's members, reads its sessions), `driver` (shares their own sessions
 * with it, reads its sessions), `analyst` (reads its sessions).
 */
export const GroupRole = Type.Union([Type.Literal('coach'), Type.Literal('driver'), Type.Literal('analyst')]);
export type GroupRole = Static<typeof GroupRole>;

export const GroupName = Type.String({ minLength: 1, maxLength: 80 });

/** POST /hub/v1/groups: an academy's admin makes a group. */
export const GroupCreate = Type.Object({ name: GroupName }, { additionalProperties: false });
export type GroupCreate = Static<typeof GroupCreate>;
export const groupCreate = validator('GroupCreate', GroupCreate);

export const Group = Type.Object({ groupId: HubId, name: GroupName, createdAt: HubTime }, { additionalProperties: false });
export type Group = Static<typeof Group>;
export const group = validator('Group', Group);

/** POST /hub/v1/groups/:groupId/members: an admin, or a coach of the group, adds a member of the same academy. */
export const GroupMemberAdd = Type.Object({ memberId: HubId, role: GroupRole }, { additionalProperties: false });
export type GroupMemberAdd = Static<typeof GroupMemberAdd>;
export const groupMemberAdd = validator('GroupMemberAdd', GroupMemberAdd);

export const GroupMember = Type.Object({ groupId: HubId, memberId: HubId, role: GroupRole }, { additionalProperties: false });
export type GroupMember = Static<typeof GroupMember>;
export const groupMember = validator('GroupMember', GroupMember);

export const GroupParams = Type.Object({ groupId: HubId }, { additionalProperties: false });
export type GroupParams = Static<typeof GroupParams>;
export const groupParams = validator('GroupParams', GroupParams);
