import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../../validate.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** How the reverse tunnel to the relay stands. */
export const SupportTunnelState = Type.Union([Type.Literal('down'), Type.Literal('connecting'), Type.Literal('up'), Type.Literal('backoff')]);
export type SupportTunnelState = Static<typeof SupportTunnelState>;

/** GET /v1/support, and the answer of POST /v1/support/on|off. */
export const SupportStatus = Type.Object(
  {
    on: Type.Boolean(),
    /** Who turned it on: the unit's support switch or an owner's command. */
    by: Nullable(Type.Union([Type.Literal('switch'), Type.Literal('owner')])),
    /** Unit clock at the end (informative: the unit counts the time left on its monotonic clock). */
    expiresAt: Nullable(Type.String()),
    remainingS: Type.Integer({ minimum: 0 }),
    tunnel: SupportTunnelState,
    /** The relay the unit dials, null when none is configured (support mode cannot be turned on). */
    relay: Nullable(Type.Object({ host: Type.String(), port: Type.Integer(), user: Type.String(), listenPort: Type.Integer() }, { additionalProperties: false })),
    /** The unit's support public key (OpenSSH), made when support was turned on; null while off. */
    supportKey: Nullable(Type.String()),
    /** The line the relay's key registration writes for this key (restricted to the listen port, expiring). */
    relayKeyLine: Nullable(Type.String()),
    /** The export server's host key (OpenSSH), to pin when connecting through the tunnel. */
    exportHostKey: Nullable(Type.String()),
    lastError: Nullable(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type SupportStatus = Static<typeof SupportStatus>;
export const supportStatus = validator('SupportStatus', SupportStatus);
