import { Type, type Static } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { LicenseFeature } from '../license/license-feature.js';
import { LicenseScope } from '../license/license-payload.js';
import { LicenseStatus } from '../license/license-status.js';

/**
 * The companion's licence contract (unit cards, the unit panel, the Licences screen): look at a
 * licence file, install it on units, the latest licence status each unit reported (kept, so it
 * shows offline), and the newest revocation list this companion carries to its units.
 */

const FilePath = Type.String({ minLength: 1, maxLength: 4096 });
const Time = Type.String({ maxLength: 40 });

/** What a licence file says, and whether this companion's vendor keys vouch for its signature. */
export const LicenseFileSummary = Type.Object(
  {
    path: FilePath,
    sizeB: Type.Integer({ minimum: 0 }),
    licenseId: Type.String({ maxLength: 64 }),
    scope: LicenseScope,
    features: Type.Array(LicenseFeature),
    issued: Time,
    starts: Time,
    expires: Time,
    graceDays: Type.Integer({ minimum: 0 }),
    ttlDays: Type.Integer({ minimum: 0 }),
    /** The key id the envelope names (not trusted until `verified`). */
    signerKeyId: Type.String({ maxLength: 128 }),
    verified: Type.Boolean(),
    /** Why it is not verified (no known keys, unknown signer, bad signature), null when verified. */
    verifyNote: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type LicenseFileSummary = Static<typeof LicenseFileSummary>;

/** One unit's licence as last reported to this companion (null: never heard). */
export const UnitLicenseView = Type.Object(
  {
    unitId: UnitId,
    status: Type.Union([LicenseStatus, Type.Null()]),
    /** When the unit reported `status` (epoch ms), null when never. */
    seenAt: Type.Union([Type.Number(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type UnitLicenseView = Static<typeof UnitLicenseView>;

/** What installing a licence file did on one unit. */
export const LicenseInstallOutcome = Type.Object(
  {
    unitId: UnitId,
    ok: Type.Boolean(),
    /** The unit's licence status after the install (also after a refusal when it could be read). */
    status: Type.Union([LicenseStatus, Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type LicenseInstallOutcome = Static<typeof LicenseInstallOutcome>;

/** The revocation list this companion holds and carries to its units. */
export const HeldRevocationList = Type.Object(
  {
    number: Type.Integer({ minimum: 1 }),
    issued: Time,
    revokedCount: Type.Integer({ minimum: 0 }),
    signerKeyId: Type.String({ maxLength: 128 }),
    /** When it was imported (epoch ms). */
    importedAt: Type.Number(),
  },
  { additionalProperties: false },
);
export type HeldRevocationList = Static<typeof HeldRevocationList>;

const UnitIds = Type.Array(UnitId, { minItems: 1, maxItems: 200 });

export const licenseMethods = {
  'license:inspect': { params: Type.Object({ path: FilePath }, { additionalProperties: false }), result: LicenseFileSummary },
  /** Installs the file on each unit (owner or dealer pairing); one result per unit, one unit's refusal does not stop the others. */
  'license:install': { params: Type.Object({ path: FilePath, unitIds: UnitIds }, { additionalProperties: false }), result: Type.Array(LicenseInstallOutcome) },
  /** Every known unit's latest reported licence, from what the companion stored (works offline). */
  'license:fleet': { params: Type.Object({}, { additionalProperties: false }), result: Type.Array(UnitLicenseView) },
  /** Asks the paired online units for their licence now (and pushes the held revocation list to those behind). */
  'license:refresh': { params: Type.Object({}, { additionalProperties: false }), result: Type.Array(UnitLicenseView) },
  'license:revocations': { params: Type.Object({}, { additionalProperties: false }), result: Type.Union([HeldRevocationList, Type.Null()]) },
  /** Imports a signed revocation list file; refused when older than the one held. */
  'license:import-revocations': { params: Type.Object({ path: FilePath }, { additionalProperties: false }), result: HeldRevocationList },
} as const;

export const licenseEvents = {
  /** Units whose stored licence changed. */
  'license:changed': Type.Array(UnitLicenseView),
} as const;
