import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { LicenseFeature } from './license-feature.js';

/**
 * none: no licence installed; active; grace: past `expires` or past the file's TTL, within grace
 * days (features still work, the unit warns); expired; revoked (on a revocation list the unit
 * holds); invalid: bad signature, bound to another unit or model, unknown or revoked vendor key.
 */
export const LicenseState = Type.Union([
  Type.Literal('none'),
  Type.Literal('active'),
  Type.Literal('grace'),
  Type.Literal('expired'),
  Type.Literal('revoked'),
  Type.Literal('invalid'),
]);
export type LicenseState = Static<typeof LicenseState>;

const Time = Type.String({ maxLength: 40 });

/** Where the unit's idea of "now" came from when the licence was last checked. */
export const TrustedClock = Type.Object(
  {
    /** The time the licence was judged at: never earlier than the latest trusted time seen. */
    now: Time,
    source: Type.Union([Type.Literal('gnss'), Type.Literal('system'), Type.Literal('latest-seen')]),
    /** The system clock was found behind the latest trusted time (or before a licence's issue). */
    tampered: Type.Boolean(),
    tamperedAt: Type.Union([Time, Type.Null()]),
  },
  { additionalProperties: false },
);
export type TrustedClock = Static<typeof TrustedClock>;

/** GET /v1/license, and the `license` part of /v1/status: the licence as the unit judges it now. */
export const LicenseStatus = Type.Object(
  {
    state: LicenseState,
    /** Why, in words a dealer can act on ("licence expired on 2027-01-01", "bound to unit X"). */
    reason: Type.String({ maxLength: 300 }),
    licenseId: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    /** The features in force now (empty unless active or grace). */
    features: Type.Array(LicenseFeature),
    /** The features the installed licence lists, in force or not. */
    licensedFeatures: Type.Array(LicenseFeature),
    starts: Type.Union([Time, Type.Null()]),
    expires: Type.Union([Time, Type.Null()]),
    /** The end of grace: the first lapse (`expires` or the file TTL, whichever comes first) plus grace days. */
    graceEnds: Type.Union([Time, Type.Null()]),
    /** The unit must see a newer licence file before this (issued + TTL). */
    refreshBy: Type.Union([Time, Type.Null()]),
    /** Whole days until the features stop (0 when they have stopped), null without a licence. */
    daysLeft: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    /** The highest revocation list number the unit holds (0: none). */
    revocationListNumber: Type.Integer({ minimum: 0 }),
    clock: TrustedClock,
    checkedAt: Time,
    /**
     * Whether the unit refuses what its licence lacks: real hardware always, the simulator only
     * with `sim.licenseEnforced`. A unit that does not enforce still judges and reports the state.
     * Every unit sends it; absent only from firmware before it (and from what such a unit reported
     * to a companion's store), which the companion treats as not known.
     */
    enforced: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type LicenseStatus = Static<typeof LicenseStatus>;
export const licenseStatus = validator('LicenseStatus', LicenseStatus);

/** PUT /v1/license/revocations answer. */
export const RevocationListApplied = Type.Object(
  { number: Type.Integer({ minimum: 1 }), revokedCount: Type.Integer({ minimum: 0 }), state: LicenseState },
  { additionalProperties: false },
);
export type RevocationListApplied = Static<typeof RevocationListApplied>;
export const revocationListApplied = validator('RevocationListApplied', RevocationListApplied);
