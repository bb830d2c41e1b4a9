import { Type, type Static } from '@sinclair/typebox';

/**
 * Operator roles. owner: everything, including listing and revoking operators; staff (team)
 * and dealer: read and control; support: read only. `tracks` (replacing the unit's own tracks,
 * which decide how every later session is timed) is for the owner and the dealer. Wi-Fi
 * (`wifi-read`: networks, saved profiles, status; `wifi`: changing them) is the owner's and the
 * dealer's; staff may look; support, which reaches the unit from afar, gets neither. `update` (pushing a new runtime) is the owner's and the dealer's; `recovery`
 * (recovery mode: rollback, install, factory reset) is the owner's and the dealer's, and so is
 * `license` (installing a licence file or a revocation list). `hub` (signing a registration
 * request for a hub, and storing the hub's record) is the owner's and the dealer's: a dealer
 * registers and claims the units it sells.
 */
export const Role = Type.Union([Type.Literal('owner'), Type.Literal('staff'), Type.Literal('dealer'), Type.Literal('support')]);
export type Role = Static<typeof Role>;

export type Permission = 'read' | 'control' | 'admin' | 'tracks' | 'wifi-read' | 'wifi' | 'update' | 'recovery' | 'license' | 'hub';

const granted: Record<Role, readonly Permission[]> = {
  owner: ['read', 'control', 'admin', 'tracks', 'wifi-read', 'wifi', 'update', 'recovery', 'license', 'hub'],
  staff: ['read', 'control', 'wifi-read'],
  dealer: ['read', 'control', 'tracks', 'wifi-read', 'wifi', 'update', 'recovery', 'license', 'hub'],
  support: ['read'],
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return granted[role].includes(permission);
}
