// One cold licence check, as a unit's first check after boot: a fresh plain-node process (the
// built protocol, as the unit runs it) verifies one licence file, timing only the verification
// (the sigstore libraries load inside it, as on the unit), then prints the milliseconds.
// argv: the file's text, the vendor public key PEM, the mode; mode `bare`: the same signature
// over the same signed bytes (DSSE's pre-authentication encoding) with crypto.verify alone.
import { createPublicKey, verify } from 'node:crypto';
import { keyLookup, pinnedKeySet, verifyLicenseFile } from '../protocol/dist/node/index.js';

const [file, pem, mode] = process.argv.slice(2);
const t0 = performance.now();
if (mode === 'bare') {
  const env = JSON.parse(file).dsseEnvelope;
  const payload = Buffer.from(env.payload, 'base64');
  const type = Buffer.from(env.payloadType);
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
  if (!verify(null, pae, createPublicKey(pem), Buffer.from(env.signatures[0].sig, 'base64'))) throw new Error('bare verify failed');
} else {
  await verifyLicenseFile(file, keyLookup(pinnedKeySet([pem])));
}
process.stdout.write(`${performance.now() - t0}\n`);
