/** The bytes a DSSE signature covers (the pre-authentication encoding) and the signature, from a signed file. */
export function signedBytes(file: string): { pae: Buffer; signature: Buffer } {
  const env = (JSON.parse(file) as { dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string }[] } }).dsseEnvelope;
  const payload = Buffer.from(env.payload, 'base64');
  const type = Buffer.from(env.payloadType);
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
  return { pae, signature: Buffer.from(env.signatures[0]!.sig, 'base64') };
}
