import { createHash } from 'node:crypto';
import { BundleError } from '../update/bundle-error.js';
import { BUNDLE_HEADER_B, decodeBundleHeader, type BundleHeader } from '../update/bundle-header.js';
import { MANIFEST_PAYLOAD_TYPE, manifestProblem, updateManifest, type UpdateManifest } from '../update/bundle-manifest.js';
import { dsseSignerHint, verifyDsse } from './dsse-envelope.js';
import { applyKeyList, keyLookup, type VendorKeySet } from './key-list-apply.js';
import type { BundleSource } from './bundle-source.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(bytes: Uint8Array, code: 'unsigned' | 'bad-manifest', what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new BundleError(code, `the ${what} is not UTF-8 text`);
  }
}

/** Parses manifest bytes (only ever signed ones on a unit) and checks what the schema cannot. */
export function parseManifest(bytes: Uint8Array, payloadLength: number): UpdateManifest {
  let manifest: UpdateManifest;
  try {
    manifest = updateManifest.parse(JSON.parse(text(bytes, 'bad-manifest', 'manifest')));
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError('bad-manifest', `the manifest is not valid: ${(err as Error).message.slice(0, 200)}`);
  }
  const problem = manifestProblem(manifest);
  if (problem) throw new BundleError('bad-manifest', `the manifest is not valid: ${problem}`);
  if (manifest.payloadSize !== payloadLength) {
    throw new BundleError('bad-manifest', `the payload section is ${payloadLength} bytes but the manifest lists ${manifest.payloadSize}`);
  }
  return manifest;
}

export interface BundleHead {
  header: BundleHeader;
  manifest: UpdateManifest;
  signerKeyId: string;
  /** The trusted keys after the bundle's key list (the same set when it carries none, or an older one). */
  keySet: VendorKeySet;
}

/** The raw sections before the payload; throws on a bad header or a truncated sender. */
export async function readBundleSections(src: BundleSource): Promise<{ header: BundleHeader; keyList: Buffer | null; manifest: Buffer }> {
  const header = decodeBundleHeader(await src.readExactly(BUNDLE_HEADER_B, 'header'));
  const keyList = header.keyListLength > 0 ? await src.readExactly(header.keyListLength, 'key list') : null;
  const manifest = await src.readExactly(header.manifestLength, 'manifest');
  return { header, keyList, manifest };
}

/**
 * Reads and verifies everything before the payload: header, key list (applied to `trust` in
 * memory only), then the manifest's signature, and only then parses the manifest.
 */
export async function readBundleHead(src: BundleSource, trust: VendorKeySet): Promise<BundleHead> {
  const { header, keyList, manifest } = await readBundleSections(src);
  if (!header.signed) throw new BundleError('unsigned', 'the bundle is not signed (run `pitwall bundle sign` on it)');
  const keySet = keyList ? await applyKeyList(trust, text(keyList, 'unsigned', 'key list')) : trust;
  const verified = await verifyDsse(text(manifest, 'unsigned', 'manifest'), MANIFEST_PAYLOAD_TYPE, keyLookup(keySet), 'manifest');
  return { header, manifest: parseManifest(verified.payload, header.payloadLength), signerKeyId: verified.keyId, keySet };
}

/** What `inspect` shows: the manifest and the key id the signature names, NOT verified. */
export async function readBundleHeadUnverified(src: BundleSource): Promise<{ header: BundleHeader; manifest: UpdateManifest; signerHint: string | null; manifestBytes: Buffer; keyList: Buffer | null }> {
  const { header, keyList, manifest } = await readBundleSections(src);
  if (!header.signed) return { header, manifest: parseManifest(manifest, header.payloadLength), signerHint: null, manifestBytes: manifest, keyList };
  const json = text(manifest, 'unsigned', 'manifest');
  let payload: Buffer;
  try {
    const envelope = (JSON.parse(json) as { dsseEnvelope?: { payload?: unknown } }).dsseEnvelope;
    if (typeof envelope?.payload !== 'string') throw new Error('no payload');
    payload = Buffer.from(envelope.payload, 'base64');
  } catch {
    throw new BundleError('unsigned', 'the manifest section is not a DSSE envelope');
  }
  return { header, manifest: parseManifest(payload, header.payloadLength), signerHint: dsseSignerHint(json), manifestBytes: payload, keyList };
}

/** Where verified payload bytes go; the file's bytes arrive in order, exactly as hashed. */
export interface PayloadSink {
  openFile(path: string, size: number): Promise<PayloadFileSink>;
}
export interface PayloadFileSink {
  write(chunk: Buffer): Promise<void>;
  /** All bytes written and their hash matched: make them durable. */
  finish(): Promise<void>;
}

/**
 * Streams the payload: each file's bytes are hashed and handed to the sink (when any) chunk by
 * chunk, and its sha256 compared with the signed manifest's when it ends. The caller throws the
 * sink's output away when this throws.
 */
export async function streamPayload(src: BundleSource, manifest: UpdateManifest, sink: PayloadSink | null, onProgress?: (done: number, total: number) => void): Promise<void> {
  let done = 0;
  for (const file of manifest.files) {
    const hash = createHash('sha256');
    const out = sink ? await sink.openFile(file.path, file.size) : null;
    for await (const chunk of src.take(file.size, `payload file ${file.path}`)) {
      hash.update(chunk);
      if (out) await out.write(chunk);
      done += chunk.length;
      onProgress?.(done, manifest.payloadSize);
    }
    if (hash.digest('hex') !== file.sha256) throw new BundleError('payload-mismatch', `payload file ${file.path} does not match the signed manifest (sha256 differs)`);
    await out?.finish();
  }
  await src.expectEnd();
}

/** Verifies a whole bundle without writing it anywhere (`pitwall bundle verify`, the benchmark). */
export async function verifyBundleStream(src: BundleSource, trust: VendorKeySet): Promise<BundleHead> {
  const head = await readBundleHead(src, trust);
  await streamPayload(src, head.manifest, null);
  return head;
}
