import { Type, type Static } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { validator } from '../validate.js';
import { VendorKeyId } from '../update/key-list.js';
import { HubTime } from './hub-ids.js';
import { Ed25519Signature, UnitModel, UnitPublicKey } from './unit-key-fields.js';

/**
 * The vendor's statement, signed at manufacture (`pitwall unit certify`), that the unit `unitId`
 * of `model` was born with identity key `publicKey`. The unit keeps it in its identity folder
 * and sends it with its registration request; a hub that trusts the vendor's key registers a
 * unit it has never seen only with one, so a key made anywhere else cannot claim a unit id first.
 */
export const BirthCertificate = Type.Object(
  {
    unitId: UnitId,
    publicKey: UnitPublicKey,
    model: UnitModel,
    issuedAt: HubTime,
    vendorKeyId: VendorKeyId,
    signature: Ed25519Signature,
  },
  { additionalProperties: false },
);
export type BirthCertificate = Static<typeof BirthCertificate>;
export const birthCertificate = validator('BirthCertificate', BirthCertificate);

/** The bytes the vendor signs: a JSON array behind a domain tag (no other signed message of pitwall reads the same). */
export function birthCertificateMessage(c: Omit<BirthCertificate, 'signature'>): Uint8Array {
  const body = JSON.stringify([c.unitId, c.publicKey, c.model, c.issuedAt, c.vendorKeyId]);
  return new TextEncoder().encode(`pitwall-birth-certificate-v1\n${body}`);
}
