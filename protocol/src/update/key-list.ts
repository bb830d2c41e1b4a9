import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

/** DSSE payload type of a signed vendor key list. */
export const KEY_LIST_PAYLOAD_TYPE = 'application/vnd.pitwall.key-list+json';
export const KEY_LIST_FORMAT = 1;
/** The key-list section of a bundle (sigstore bundle JSON) is refused above this size. */
export const KEY_LIST_MAX_B = 64 * 1024;
const KEYS_MAX = 32;
const REVOKED_MAX = 256;

/** A key id: the lower-case hex sha256 of the key's SubjectPublicKeyInfo (DER). */
export const VendorKeyId = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const VendorKey = Type.Object(
  {
    keyId: VendorKeyId,
    /** SPKI PEM of an Ed25519 public key. */
    publicKey: Type.String({ minLength: 1, maxLength: 1024 }),
    note: Type.Optional(Type.String({ maxLength: 120 })),
  },
  { additionalProperties: false },
);
export type VendorKey = Static<typeof VendorKey>;

/**
 * The vendor keys a unit trusts, replacing its previous list. Signed by a key the unit trusts
 * now; accepted only with a higher sequence than the list it holds (never rolled back), and only
 * if it still revokes every key the held list revoked (a revoked key never returns).
 */
export const VendorKeyList = Type.Object(
  {
    format: Type.Literal(KEY_LIST_FORMAT),
    sequence: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    keys: Type.Array(VendorKey, { minItems: 1, maxItems: KEYS_MAX }),
    revokedKeyIds: Type.Array(VendorKeyId, { maxItems: REVOKED_MAX }),
  },
  { additionalProperties: false },
);
export type VendorKeyList = Static<typeof VendorKeyList>;
export const vendorKeyList = validator('VendorKeyList', VendorKeyList);
