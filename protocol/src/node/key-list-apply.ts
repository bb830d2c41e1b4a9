import { BundleError } from '../update/bundle-error.js';
import { KEY_LIST_PAYLOAD_TYPE, vendorKeyList, type VendorKeyList } from '../update/key-list.js';
import { loadPublicKey, verifyDsse, type KeyLookup, type TrustedKey } from './dsse-envelope.js';

/**
 * The vendor keys a unit (or `pitwall bundle verify`) trusts: the pinned keys (sequence 0), or
 * the newest signed key list accepted since, which replaces them wholly.
 */
export interface VendorKeySet {
  sequence: number;
  keys: ReadonlyMap<string, TrustedKey>;
  /** Every key id revoked by any list accepted so far. */
  revoked: ReadonlySet<string>;
  /** The list this set came from; null for the pinned keys. */
  list: VendorKeyList | null;
}

export function pinnedKeySet(publicKeyPems: readonly string[]): VendorKeySet {
  const keys = new Map<string, TrustedKey>();
  for (const pem of publicKeyPems) {
    const k = loadPublicKey(pem);
    keys.set(k.keyId, k);
  }
  return { sequence: 0, keys, revoked: new Set(), list: null };
}

/** The key set a list describes, checked on its own (ids match keys, nothing both listed and revoked). */
export function keySetFromList(list: VendorKeyList): VendorKeySet {
  const keys = new Map<string, TrustedKey>();
  const revoked = new Set(list.revokedKeyIds);
  for (const entry of list.keys) {
    const k = loadPublicKey(entry.publicKey);
    if (k.keyId !== entry.keyId) throw new BundleError('bad-key-list', `key list entry ${entry.keyId.slice(0, 16)}… does not match its public key`);
    if (revoked.has(k.keyId)) throw new BundleError('bad-key-list', `key ${k.keyId.slice(0, 16)}… is both listed and revoked`);
    keys.set(k.keyId, k);
  }
  return { sequence: list.sequence, keys, revoked, list };
}

export function keyLookup(set: VendorKeySet): KeyLookup {
  return (keyId) => {
    if (set.revoked.has(keyId)) throw new BundleError('revoked-key', `signed by the revoked key ${keyId.slice(0, 16)}…`);
    const key = set.keys.get(keyId);
    if (!key) throw new BundleError('unknown-key', `signed by key ${keyId.slice(0, 16)}…, which this unit does not trust`);
    return key;
  };
}

const sameList = (a: VendorKeyList, b: VendorKeyList): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The list a key-list bundle claims to carry, unverified: enough to see that it is old news. */
function claimedList(json: string): VendorKeyList | null {
  try {
    const payload = (JSON.parse(json) as { dsseEnvelope?: { payload?: unknown } }).dsseEnvelope?.payload;
    return typeof payload === 'string' ? vendorKeyList.parse(JSON.parse(Buffer.from(payload, 'base64').toString('utf8'))) : null;
  } catch {
    return null;
  }
}

/**
 * The key set after a signed key list (sigstore bundle JSON). A list older than the one held, or
 * the one held, is ignored without checking its signature (ignoring it changes nothing, and its
 * signer may have been revoked since); a newer one is verified with the keys trusted now. The
 * same sequence with other content, or a list that un-revokes a key, is refused.
 */
export async function applyKeyList(current: VendorKeySet, json: string): Promise<VendorKeySet> {
  const claimed = claimedList(json);
  if (claimed && (claimed.sequence < current.sequence || (current.list && sameList(claimed, current.list)))) return current;
  const { payload } = await verifyDsse(json, KEY_LIST_PAYLOAD_TYPE, keyLookup(current), 'key list');
  let list: VendorKeyList;
  try {
    list = vendorKeyList.parse(JSON.parse(payload.toString('utf8')));
  } catch (err) {
    throw new BundleError('bad-key-list', `the signed key list is not valid: ${(err as Error).message.slice(0, 200)}`);
  }
  if (list.sequence <= current.sequence) {
    throw new BundleError('bad-key-list', `key list ${list.sequence} is not newer than the list ${current.sequence} this unit holds, and differs from it`);
  }
  const next = keySetFromList(list);
  for (const id of current.revoked) {
    if (!next.revoked.has(id)) throw new BundleError('bad-key-list', `key list ${list.sequence} no longer revokes key ${id.slice(0, 16)}…`);
  }
  return next;
}
