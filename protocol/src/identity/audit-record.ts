import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { Role } from './role.js';

/** One line of the unit's audit log (JSON lines, append-only): who did or was refused what. */
export const AuditRecord = Type.Object(
  {
    time: Type.String(),
    seq: Type.Integer({ minimum: 1 }),
    event: Type.Union([
      Type.Literal('pair'),
      Type.Literal('revoke'),
      Type.Literal('refuse'),
      Type.Literal('pairing-window'),
      Type.Literal('identity'),
      /** The owner or dealer replaced the unit's own tracks. */
      Type.Literal('tracks'),
      /** A runtime update: installed, refused, committed or rolled back. */
      Type.Literal('update'),
      /** Support mode turned on or off, its expiry, and every connection to its export. */
      Type.Literal('support'),
      /** A Wi-Fi change: a saved network added, removed, reordered or connected, or the mode switched. */
      Type.Literal('wifi'),
      /** Recovery mode: a rollback, an install or a factory reset. */
      Type.Literal('recovery'),
      /** Licensing: a licence or revocation list installed or refused, a state change, clock tampering. */
      Type.Literal('license'),
    ]),
    outcome: Type.Union([Type.Literal('ok'), Type.Literal('refused'), Type.Literal('error')]),
    operatorFingerprint: Type.Union([Type.String(), Type.Null()]),
    role: Type.Union([Role, Type.Null()]),
    via: Type.Union([Type.Literal('usb'), Type.Literal('network'), Type.Literal('button'), Type.Literal('boot'), Type.Literal('switch'), Type.Null()]),
    detail: Type.String({ maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type AuditRecord = Static<typeof AuditRecord>;
export const auditRecord = validator('AuditRecord', AuditRecord);
