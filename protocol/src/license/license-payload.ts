import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { VendorKeyId } from '../update/key-list.js';
import { LicenseFeature } from './license-feature.js';

/** DSSE payload type of a signed licence. */
export const LICENSE_PAYLOAD_TYPE = 'application/vnd.pitwall.license+json';
export const LICENSE_FORMAT = 1;
/** A licence file (the sigstore bundle JSON around the DSSE envelope) is refused above this size. */
export const LICENSE_FILE_MAX_B = 16 * 1024;
/** An `issued` more than this far ahead of the unit's trusted time is clock tampering. */
export const LICENSE_ISSUED_SKEW_MS = 5 * 60 * 1000;

const IsoTime = Type.String({ maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' });
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });

/** Whom a licence binds: one unit, or a dealer's stock of one model (optionally one fleet). */
export const LicenseScope = Type.Union([
  Type.Object({ unitId: Id }, { additionalProperties: false }),
  Type.Object({ model: Id, fleet: Type.Optional(Id) }, { additionalProperties: false }),
]);
export type LicenseScope = Static<typeof LicenseScope>;

/**
 * The signed body of a licence file. `starts`..`expires` is the paid period, followed by
 * `graceDays` in which features still work but the unit warns; independently, the file itself
 * lapses `ttlDays` after `issued` unless the unit has seen a newer file for the same licence id
 * (carried by any companion or the hub), after which the licence is in grace too.
 */
export const LicensePayload = Type.Object(
  {
    format: Type.Literal(LICENSE_FORMAT),
    licenseId: Id,
    scope: LicenseScope,
    features: Type.Array(LicenseFeature, { maxItems: 16, uniqueItems: true }),
    issued: IsoTime,
    starts: IsoTime,
    expires: IsoTime,
    graceDays: Type.Integer({ minimum: 0, maximum: 365 }),
    ttlDays: Type.Integer({ minimum: 1, maximum: 400 }),
    /** The vendor key that signed it (must match the envelope's signature key id). */
    keyId: VendorKeyId,
  },
  { additionalProperties: false },
);
export type LicensePayload = Static<typeof LicensePayload>;
export const licensePayload = validator('LicensePayload', LicensePayload);
