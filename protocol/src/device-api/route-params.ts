import { Type, type Static } from '@sinclair/typebox';

/**
 * Path parameters of the device API. Loose on purpose where the handler gives the better
 * refusal (a session id that is not one gets `bad-session-id`, a fingerprint that is not one
 * names the expected form); bounded so that no path parameter is long.
 */
export const SessionIdParams = Type.Object({ id: Type.String({ maxLength: 256 }) }, { additionalProperties: false });
export type SessionIdParams = Static<typeof SessionIdParams>;

export const CrashIdParams = Type.Object({ id: Type.String({ maxLength: 200 }) });
export type CrashIdParams = Static<typeof CrashIdParams>;

export const OwnerRequestIdParams = Type.Object({ id: Type.String({ pattern: '^[a-f0-9]{16}$' }) });
export type OwnerRequestIdParams = Static<typeof OwnerRequestIdParams>;

/** A key fingerprint, `/` and `+` also accepted as base64url (`_`, `-`): awkward in a path. */
export const OperatorParams = Type.Object({ fingerprint: Type.String({ maxLength: 100 }) });
export type OperatorParams = Static<typeof OperatorParams>;
