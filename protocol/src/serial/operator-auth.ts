import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

/**
 * How a paired operator proves itself on the USB serial port (no TLS there): its certificate as
 * paired, a single-use nonce the unit handed out, and an Ed25519 signature over
 * serialCallMessage(scope, unitId, nonce, method). The certificate alone proves nothing (it is
 * public); the signature binds the call to this unit, this nonce and this method.
 */
export const SerialOperatorAuth = Type.Object(
  {
    /** The operator's certificate, as paired (PEM). */
    certificate: Type.String({ minLength: 1, maxLength: 8192 }),
    nonce: Type.String({ pattern: '^[0-9a-f]{32}$' }),
    /** Base64 Ed25519 signature over serialCallMessage(scope, unitId, nonce, method). */
    signature: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type SerialOperatorAuth = Static<typeof SerialOperatorAuth>;

/** Which family of serial methods a signature is for: one signed for Wi-Fi never opens recovery. */
export type SerialAuthScope = 'wifi' | 'recovery';

/** What an operator signs for one serial call. */
export const serialCallMessage = (scope: SerialAuthScope, unitId: string, nonce: string, method: string) => `pitwall-${scope}-usb\n${unitId}\n${nonce}\n${method}`;

/** A fresh single-use nonce (`wifi.nonce`, `recovery.nonce`). */
export const SerialNonce = Type.Object({ nonce: Type.String(), expiresInS: Type.Number() }, { additionalProperties: false });
export type SerialNonce = Static<typeof SerialNonce>;
export const serialNonce = validator('SerialNonce', SerialNonce);
