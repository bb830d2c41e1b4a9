import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import { BundleError } from '../update/bundle-error.js';

/**
 * Signed artifacts (update manifests, vendor key lists) are sigstore bundles around a DSSE
 * envelope, made and checked offline: our own Ed25519 signer and no witnesses (no Fulcio
 * certificate, no Rekor entry, no timestamp authority: units have no internet), verified against
 * pinned public keys with every online threshold at 0.
 *
 * Ed25519 rather than ECDSA P-256: deterministic signatures (no per-signature nonce that a weak
 * RNG on the signing laptop could leak the key through), 32-byte keys, fast verification, and
 * Node's crypto and sigstore's verifier (crypto.verify with a null digest) handle it natively.
 * P-256 matters for keyless Fulcio certificates, which need the internet.
 *
 * The sigstore libraries are loaded on first use: everything importing `@pitwall/protocol/node`
 * (the unit's atomic files, at every boot) would otherwise pay their load time, about a second.
 */

const loadSigner = () => import('@sigstore/sign');
let verifyLibs: ReturnType<typeof importVerifyLibs> | null = null;
async function importVerifyLibs() {
  const [verify, bundle, specs] = await Promise.all([import('@sigstore/verify'), import('@sigstore/bundle'), import('@sigstore/protobuf-specs')]);
  const emptyRoot = specs.TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  });
  return { ...verify, bundleFromJSON: bundle.bundleFromJSON, bundleToJSON: bundle.bundleToJSON, emptyRoot };
}
const loadVerify = () => (verifyLibs ??= importVerifyLibs());

/** A vendor public key the verifier may use, by key id. */
export interface TrustedKey {
  keyId: string;
  publicKey: KeyObject;
}

/** Answers which key a signature's key id names, or throws a BundleError (unknown, revoked). */
export type KeyLookup = (keyId: string) => TrustedKey;

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
  publicKeyPem: string;
}

/** The key id: lower-case hex sha256 of the public key's SubjectPublicKeyInfo DER. */
export function vendorKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** Parses an SPKI PEM and insists on Ed25519. */
export function loadPublicKey(pem: string): TrustedKey {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(pem);
  } catch {
    throw new BundleError('bad-key-list', 'a public key is not a valid PEM public key');
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new BundleError('bad-key-list', `a public key is ${publicKey.asymmetricKeyType}, not Ed25519`);
  return { keyId: vendorKeyId(publicKey), publicKey };
}

/** Parses a PKCS#8 PEM private key (Ed25519). The error never holds the key's text. */
export function loadSigningKey(pem: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error('the signing key is not a valid PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the signing key is ${privateKey.asymmetricKeyType}, not Ed25519`);
  const publicKey = createPublicKey(privateKey);
  return { keyId: vendorKeyId(publicKey), privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Signs `payload` as a DSSE envelope of `payloadType`; returns the sigstore bundle as JSON text. */
export async function signDsse(payload: Uint8Array, payloadType: string, key: SigningKey): Promise<string> {
  const { DSSEBundleBuilder } = await loadSigner();
  const { bundleToJSON } = await loadVerify();
  const builder = new DSSEBundleBuilder({
    signer: {
      sign: async (data: Buffer) => ({
        signature: sign(null, data, key.privateKey),
        key: { $case: 'publicKey', publicKey: key.publicKeyPem, hint: key.keyId },
      }),
    },
    witnesses: [],
  });
  const bundle = await builder.create({ data: Buffer.from(payload), type: payloadType });
  return JSON.stringify(bundleToJSON(bundle));
}

const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';


export interface VerifiedDsse {
  payload: Buffer;
  keyId: string;
}

/** The key id a bundle names as its signer, unverified (for `inspect`); null when it names none. */
export function dsseSignerHint(json: string): string | null {
  try {
    const hint = (JSON.parse(json) as { verificationMaterial?: { publicKey?: { hint?: unknown } } }).verificationMaterial?.publicKey?.hint;
    return typeof hint === 'string' ? hint : null;
  } catch {
    return null;
  }
}

/**
 * Checks a sigstore bundle's DSSE signature against the key its hint names (looked up by
 * `lookup`, which refuses unknown and revoked keys) and that it carries `payloadType`. Returns
 * the signed payload bytes: only these may be parsed afterwards.
 */
export async function verifyDsse(json: string, payloadType: string, lookup: KeyLookup, what: string): Promise<VerifiedDsse> {
  const { Verifier, bundleFromJSON, bundleToJSON, emptyRoot, toSignedEntity, toTrustMaterial } = await loadVerify();
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(JSON.parse(json));
  } catch {
    throw new BundleError('unsigned', `the ${what} is not a signed sigstore bundle`);
  }
  // Only the exact JSON our signer writes: no other media type, field, key id, whitespace or
  // base64 spelling around the same signature (what was checked is byte for byte what was sent).
  if (JSON.stringify(bundleToJSON(bundle)) !== json || bundle.mediaType !== BUNDLE_MEDIA_TYPE) {
    throw new BundleError('bad-signature', `the ${what}'s sigstore bundle is not in the form pitwall signs`);
  }
  if (bundle.content.$case !== 'dsseEnvelope') throw new BundleError('unsigned', `the ${what} is not a DSSE envelope`);
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.signatures.length !== 1) throw new BundleError('unsigned', `the ${what} carries ${envelope.signatures.length} signatures, not one`);
  if (envelope.payloadType !== payloadType) throw new BundleError('bad-signature', `the ${what} is signed as "${envelope.payloadType.slice(0, 80)}", not as ${payloadType}`);
  const material = bundle.verificationMaterial.content;
  if (material.$case !== 'publicKey') throw new BundleError('unknown-key', `the ${what} is not signed with a vendor key`);
  if (envelope.signatures[0]?.keyid !== material.publicKey.hint) throw new BundleError('bad-signature', `the ${what}'s signature names another key than its bundle`);
  let refusal: BundleError | null = null;
  let used: TrustedKey | null = null;
  const trust = toTrustMaterial(emptyRoot, (hint: string) => {
    try {
      used = lookup(hint);
    } catch (err) {
      refusal = err instanceof BundleError ? err : new BundleError('unknown-key', `the ${what} is signed by an unknown key`);
      throw refusal;
    }
    return { publicKey: used.publicKey, validFor: () => true };
  });
  try {
    new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(toSignedEntity(bundle));
  } catch {
    throw refusal ?? new BundleError('bad-signature', `the ${what}'s signature does not match its content`);
  }
  if (!used) throw new BundleError('unknown-key', `the ${what} names no key`);
  return { payload: Buffer.from(envelope.payload), keyId: (used as TrustedKey).keyId };
}
