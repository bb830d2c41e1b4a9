import { Type, type Static } from '@sinclair/typebox';

/**
 * Operator roles. owner: everything, including listing and revoking operators; staff (team)
 * and dealer: read and control; support: read only. `tracks` (replacing the unit's own tracks,
 * which decide how every later session is timed) and `update` (pushing a new runtime) are for the
 * owner and the dealer.
 */
export const Role = Type.Union([Type.Literal('owner'), Type.Literal('staff'), Type.Literal('dealer'), Type.Literal('support')]);
export type Role = Static<typeof Role>;

export type Permission = 'read' | 'control' | 'admin' | 'tracks' | 'update';

const granted: Record<Role, readonly Permission[]> = {
  owner: ['read', 'control', 'admin', 'tracks', 'update'],
  staff: ['read', 'control'],
  dealer: ['read', 'control', 'tracks', 'update'],
  support: ['read'],
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return granted[role].includes(permission);
}
