import CRC32 from 'crc-32';
import { BundleError } from './bundle-error.js';
import { KEY_LIST_MAX_B } from './key-list.js';
import { MANIFEST_MAX_B } from './bundle-manifest.js';

/**
 * An update bundle is one file:
 *
 *   | header (32 B) | key list (keyListLength B) | manifest (manifestLength B) | payload (payloadLength B) |
 *
 * Header, all integers big-endian:
 *   0  magic "PWBUNDLE"          8 B
 *   8  container version (1)     u16
 *   10 flags                     u16   bit 0: the manifest section is signed
 *   12 keyListLength             u32   0 when the bundle carries no key list
 *   16 manifestLength            u32
 *   20 payloadLength             u64
 *   28 crc32 of bytes 0..27      u32   (catches a torn or mangled header early; not security)
 *
 * Key list: a sigstore bundle (JSON) whose DSSE payload is a VendorKeyList, signed by a key the
 * unit trusts now (how a bundle signed with a new key reaches units that only know the old one).
 * Manifest: a sigstore bundle (JSON) whose DSSE payload is the UpdateManifest JSON; when the
 * signed flag is clear (straight from `bundle build`) it is the bare manifest JSON instead.
 * Payload: the manifest's files, their bytes one after the other in manifest order.
 *
 * Everything a unit needs before the first payload byte sits in the first 32 B + the two
 * bounded sections, so it checks the signature before it writes anything.
 */
export const BUNDLE_MAGIC = 'PWBUNDLE';
export const BUNDLE_CONTAINER_VERSION = 1;
export const BUNDLE_HEADER_B = 32;
export const BUNDLE_FLAG_SIGNED = 1;

export interface BundleHeader {
  signed: boolean;
  keyListLength: number;
  manifestLength: number;
  payloadLength: number;
}

export function encodeBundleHeader(h: BundleHeader): Uint8Array {
  const out = new Uint8Array(BUNDLE_HEADER_B);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = BUNDLE_MAGIC.charCodeAt(i);
  view.setUint16(8, BUNDLE_CONTAINER_VERSION);
  view.setUint16(10, h.signed ? BUNDLE_FLAG_SIGNED : 0);
  view.setUint32(12, h.keyListLength);
  view.setUint32(16, h.manifestLength);
  view.setBigUint64(20, BigInt(h.payloadLength));
  view.setUint32(28, CRC32.buf(out.subarray(0, 28)) >>> 0);
  return out;
}

/** Reads and bounds-checks a header; throws BundleError before any section is read. */
export function decodeBundleHeader(bytes: Uint8Array): BundleHeader {
  if (bytes.length < BUNDLE_HEADER_B) throw new BundleError('truncated', `the bundle ends inside its ${BUNDLE_HEADER_B}-byte header`);
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== BUNDLE_MAGIC.charCodeAt(i)) throw new BundleError('bad-header', 'not a Pitwall update bundle (wrong magic)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, BUNDLE_HEADER_B);
  if (view.getUint32(28) !== CRC32.buf(bytes.subarray(0, 28)) >>> 0) throw new BundleError('bad-header', 'the bundle header is damaged (checksum mismatch)');
  const version = view.getUint16(8);
  if (version !== BUNDLE_CONTAINER_VERSION) throw new BundleError('bad-header', `bundle container version ${version} is not supported (this runtime reads ${BUNDLE_CONTAINER_VERSION})`);
  const flags = view.getUint16(10);
  if ((flags & ~BUNDLE_FLAG_SIGNED) !== 0) throw new BundleError('bad-header', `unknown bundle header flags 0x${flags.toString(16)}`);
  const keyListLength = view.getUint32(12);
  const manifestLength = view.getUint32(16);
  const payload = view.getBigUint64(20);
  if (keyListLength > KEY_LIST_MAX_B) throw new BundleError('key-list-too-large', `the key list is ${keyListLength} bytes, over the ${KEY_LIST_MAX_B}-byte limit`);
  if (manifestLength > MANIFEST_MAX_B) throw new BundleError('manifest-too-large', `the manifest is ${manifestLength} bytes, over the ${MANIFEST_MAX_B}-byte limit`);
  if (manifestLength === 0) throw new BundleError('bad-header', 'the bundle has no manifest');
  if (payload > BigInt(Number.MAX_SAFE_INTEGER)) throw new BundleError('too-large', 'the payload length is beyond any slot');
  return { signed: (flags & BUNDLE_FLAG_SIGNED) !== 0, keyListLength, manifestLength, payloadLength: Number(payload) };
}
