import { Type } from '@sinclair/typebox';

/** An Ed25519 public key as base64 of its DER SubjectPublicKeyInfo (44 bytes). */
export const UnitPublicKey = Type.String({ pattern: '^[A-Za-z0-9+/]{59}=$' });
/** 64 bytes, base64. */
export const Ed25519Signature = Type.String({ pattern: '^[A-Za-z0-9+/]{86}==$' });
export const UnitModel = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._()-]*$' });
