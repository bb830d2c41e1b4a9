import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { VendorKeyId } from '../update/key-list.js';

/** DSSE payload type of a signed licence revocation list. */
export const REVOCATION_LIST_PAYLOAD_TYPE = 'application/vnd.pitwall.license-revocations+json';
export const REVOCATION_LIST_FORMAT = 1;
/** A revocation list file (sigstore bundle JSON) is refused above this size. */
export const REVOCATION_LIST_FILE_MAX_B = 512 * 1024;

/**
 * The licences a vendor has revoked. Numbered: a unit keeps the highest number it has seen
 * (across reboots and slot changes) and refuses any list numbered lower or equal (no rollback).
 * Each list is complete, not a delta.
 */
export const RevocationList = Type.Object(
  {
    format: Type.Literal(REVOCATION_LIST_FORMAT),
    number: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    issued: Type.String({ maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' }),
    revoked: Type.Array(
      Type.Object(
        { licenseId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }), reason: Type.String({ maxLength: 200 }) },
        { additionalProperties: false },
      ),
      { maxItems: 20000 },
    ),
    keyId: VendorKeyId,
  },
  { additionalProperties: false },
);
export type RevocationList = Static<typeof RevocationList>;
export const revocationList = validator('RevocationList', RevocationList);
