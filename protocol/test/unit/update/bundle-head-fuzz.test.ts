import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { BundleError, encodeBundleHeader, MANIFEST_PAYLOAD_TYPE, type UpdateManifest } from '@pitwall/protocol';
import { BundleSource, loadSigningKey, pinnedKeySet, signDsse, signKeyList, verifyBundleStream, type SigningKey } from '@pitwall/protocol/node';
import { randomBytes, seededRandom } from '../../seeded-random.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0xb0d1e);
const RUNS = 3000;

/**
 * The header and manifest parser behind the signature check, fed mutated bundles: random bit
 * flips (in the whole file, and in a carried key list), truncations, header fields rewritten
 * (with a valid checksum), and manifests that are
 * signed correctly but mangled (the vendor's own tooling gone wrong). Every outcome is the
 * original bundle accepted, a mangled-but-signed manifest that is still safe to install, or a
 * BundleError; never another exception, never a hang. (It found that sigstore accepts another
 * bundle media type and another envelope key id around the same signature: now refused.)
 */

const key: SigningKey = loadSigningKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const trust = pinnedKeySet([key.publicKeyPem]);
const files = [Buffer.from('console.log("a")\n'), Buffer.from('x'.repeat(300))];
const manifest: UpdateManifest = {
  format: 1,
  runtimeVersion: '2.0.1',
  compatibleModels: ['pw-1'],
  minReplaceVersion: '1.0.0',
  buildTime: '2026-11-01T10:00:00.000Z',
  entry: 'dist/f0.js',
  files: files.map((f, i) => ({ path: `dist/f${i}.js`, size: f.length, sha256: createHash('sha256').update(f).digest('hex') })),
  payloadSize: files.reduce((n, f) => n + f.length, 0),
};

async function container(manifestBytes: Uint8Array, signer = key, keyList = Buffer.alloc(0)): Promise<Buffer> {
  const payload = Buffer.concat(files);
  const signed = Buffer.from(await signDsse(manifestBytes, MANIFEST_PAYLOAD_TYPE, signer));
  return Buffer.concat([encodeBundleHeader({ signed: true, keyListLength: keyList.length, manifestLength: signed.length, payloadLength: payload.length }), keyList, signed, payload]);
}

/** A bundle signed by a second key, carrying the key list (signed by the pinned key) that trusts it. */
async function rotatedContainer(): Promise<{ bytes: Buffer; keyListAt: number; keyListLength: number }> {
  const next = loadSigningKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const list = Buffer.from(await signKeyList({ format: 1, sequence: 1, keys: [{ keyId: next.keyId, publicKey: next.publicKeyPem }], revokedKeyIds: [key.keyId] }, key));
  return { bytes: await container(Buffer.from(JSON.stringify(manifest)), next, list), keyListAt: 32, keyListLength: list.length };
}

/** What the installer relies on, checked independently of the parser: paths stay inside the slot, sizes add up. */
function assertSafe(m: UpdateManifest): void {
  let total = 0;
  for (const f of m.files) {
    assert.ok(!f.path.startsWith('/') && f.path.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), f.path);
    assert.ok(Number.isSafeInteger(f.size) && f.size >= 0);
    total += f.size;
  }
  assert.equal(total, m.payloadSize);
  assert.equal(new Set(m.files.map((f) => f.path)).size, m.files.length);
  assert.ok(m.files.some((f) => f.path === m.entry));
}

async function outcome(bytes: Uint8Array): Promise<UpdateManifest | BundleError> {
  const src = new BundleSource(
    (async function* () {
      yield bytes;
    })(),
    { deadlineAt: Date.now() + 5000, idleMs: 5000 },
  );
  try {
    return (await verifyBundleStream(src, trust)).manifest;
  } catch (err) {
    if (err instanceof BundleError) return err;
    throw new Error(`not a BundleError: ${(err as Error).stack}`);
  } finally {
    src.close();
  }
}

/** Changes a parsed manifest the way a broken tool might: wrong types, odd paths, lying sizes, extra fields. */
function mangle(rand: () => number, m: UpdateManifest): unknown {
  const copy = JSON.parse(JSON.stringify(m)) as Record<string, unknown> & { files: Record<string, unknown>[] };
  const file = copy.files[Math.floor(rand() * copy.files.length)] as Record<string, unknown>;
  const odd = [null, -1, 1.5, 2 ** 60, '', '../etc/passwd', '/abs', 'a//b', 'dist/f0.js', 'dist/f0.js/x', '\u0000', [], {}, '9.9.9.9', 'x'.repeat(300)];
  const value = odd[Math.floor(rand() * odd.length)];
  switch (Math.floor(rand() * 7)) {
    case 6:
      copy.entry = value;
      break;
    case 0:
      file.path = value;
      break;
    case 1:
      file.size = value;
      break;
    case 2:
      copy.runtimeVersion = value;
      break;
    case 3:
      copy.payloadSize = value;
      break;
    case 4:
      copy[`extra${Math.floor(rand() * 3)}`] = value;
      break;
    default:
      copy.files.push({ ...file });
  }
  return copy;
}

test(`${RUNS} mutated bundles: the original accepted, everything else a BundleError or a safe signed manifest (seed ${SEED})`, { timeout: 240_000 }, async () => {
  const rand = seededRandom(SEED);
  const plain = await container(Buffer.from(JSON.stringify(manifest)));
  const rotated = await rotatedContainer();
  assert.deepEqual(await outcome(plain), manifest);
  assert.deepEqual(await outcome(rotated.bytes), manifest);
  const codes = new Map<string, number>();
  for (let run = 0; run < RUNS; run++) {
    let bytes: Buffer;
    const kind = Math.floor(rand() * 5);
    const good = kind === 4 ? rotated.bytes : plain;
    if (kind === 4) {
      // flips inside the key list section only
      bytes = Buffer.from(good);
      const at = rotated.keyListAt + Math.floor(rand() * rotated.keyListLength);
      bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(rand() * 8));
    } else if (kind === 0) {
      bytes = Buffer.from(good);
      const flips = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < flips; i++) {
        const at = Math.floor(rand() * bytes.length);
        bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(rand() * 8));
      }
    } else if (kind === 1) {
      bytes = good.subarray(0, Math.floor(rand() * good.length));
    } else if (kind === 2) {
      const field = (max: number) => (rand() < 0.3 ? Math.floor(rand() * 64) : Math.floor(rand() * max));
      const header = encodeBundleHeader({ signed: rand() < 0.9, keyListLength: field(2 ** 32), manifestLength: field(2 ** 32), payloadLength: field(2 ** 53) });
      bytes = Buffer.concat([header, good.subarray(32, 32 + Math.floor(rand() * (good.length - 32))), Buffer.from(randomBytes(rand, Math.floor(rand() * 64)))]);
    } else {
      const m = mangle(rand, manifest);
      bytes = await container(Buffer.from(JSON.stringify(m)));
    }
    const result = await outcome(bytes);
    if (!(result instanceof BundleError)) {
      // a mangled manifest can still be a valid one (a file renamed to "9.9.9.9"); it must be safe
      if (kind === 3) assertSafe(result);
      else assert.ok(bytes.equals(good), `run ${run}: a changed bundle was accepted`);
      continue;
    }
    assert.ok(result.message.length > 0 && result.message.length < 400, `run ${run}: ${result.message}`);
    codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
  }
  for (const code of ['bad-header', 'truncated', 'bad-manifest', 'bad-signature', 'unsigned']) assert.ok(codes.has(code), `no ${code} among ${[...codes.keys()].join(', ')}`);
});
