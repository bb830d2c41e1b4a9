import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_HEADER_B, BundleError, decodeBundleHeader, encodeBundleHeader, MANIFEST_MAX_B, type BundleErrorCode } from '@pitwall/protocol';
import type { SigningKey } from '@pitwall/protocol/node';
import { directoryInstallTarget, KeyListStore, SLOT_MANIFEST_FILE, verifyAndInstall, type UnitFacts } from '../../../src/index.js';
import { keyListOf, makeBundle, sender, snapshot, vendorKey } from '../../helpers/bundles.js';
import { tempDir } from '../../helpers/paths.js';

/**
 * verifyAndInstall against every way a bundle can be wrong: each is refused with its own code,
 * and the slot (with everything beside it) is byte for byte what it was before.
 */

const UNIT: UnitFacts = { unitId: '0b6f4c1e-9a42-4c55-8e0b-2f7f3e1d9a10', model: 'pw-1', installedVersion: '1.1.0' };
const CAPACITY = 8 * 1024 * 1024;

let root: string;
let cleanup: () => Promise<void>;
let k1: SigningKey;
let k2: SigningKey;
let good: Buffer;
let n = 0;

before(async () => {
  ({ dir: root, cleanup } = await tempDir('verify-install'));
  k1 = vendorKey();
  k2 = vendorKey();
  good = await makeBundle({ dir: root, tag: 'good', key: k1 });
});
after(() => cleanup());

interface Unit {
  slots: string;
  slot: string;
  keys: KeyListStore;
  keyFile: string;
}

/** A unit whose inactive slot holds an older runtime, trusting the pinned keys given. */
async function freshUnit(pinned: SigningKey[] = [k1]): Promise<Unit> {
  const base = join(root, `unit-${n++}`);
  const slots = join(base, 'slots');
  const slot = join(slots, 'b');
  await mkdir(slot, { recursive: true });
  await writeFile(join(slot, 'old-runtime.js'), 'the previous release\n');
  const keyFile = join(base, 'vendor-keys.json');
  return { slots, slot, keyFile, keys: await KeyListStore.open(keyFile, pinned.map((k) => k.publicKeyPem)) };
}

function install(u: Unit, source: AsyncIterable<Uint8Array>, extra: { unit?: UnitFacts; capacity?: number; deadlineMs?: number; idleMs?: number } = {}) {
  return verifyAndInstall({
    source,
    target: directoryInstallTarget(u.slot, extra.capacity ?? CAPACITY),
    keys: u.keys,
    unit: extra.unit ?? UNIT,
    deadlineMs: extra.deadlineMs ?? 30_000,
    ...(extra.idleMs ? { idleMs: extra.idleMs } : {}),
  });
}

/** Installs and expects a refusal with `code`; the slots directory must be unchanged. */
async function refused(u: Unit, source: AsyncIterable<Uint8Array>, code: BundleErrorCode | BundleErrorCode[], extra: Parameters<typeof install>[2] = {}): Promise<BundleError> {
  const before = await snapshot(u.slots);
  const err = await install(u, source, extra).then(
    () => assert.fail(`expected a ${code} refusal, the bundle was installed`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof BundleError, `not a BundleError: ${String(err)}`);
  assert.ok((Array.isArray(code) ? code : [code]).includes(err.code), `${err.code}: ${err.message}`);
  assert.ok(err.message.length > 10);
  assert.deepEqual(await snapshot(u.slots), before, 'the slot changed');
  return err;
}

function sections(bytes: Buffer) {
  const h = decodeBundleHeader(bytes.subarray(0, BUNDLE_HEADER_B));
  const manifestAt = BUNDLE_HEADER_B + h.keyListLength;
  const payloadAt = manifestAt + h.manifestLength;
  return { h, manifestAt, payloadAt };
}

const flipped = (bytes: Buffer, at: number): Buffer => {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] as number) ^ 0x04;
  return copy;
};

describe('a good bundle', () => {
  test('is installed: the slot holds exactly the signed files and the manifest', async () => {
    const u = await freshUnit();
    const progress: number[] = [];
    const result = await verifyAndInstall({
      source: sender(good, 10_000),
      target: directoryInstallTarget(u.slot, CAPACITY),
      keys: u.keys,
      unit: UNIT,
      deadlineMs: 30_000,
      onProgress: (p) => void (p.phase === 'installing' && progress.push(p.done)),
    });
    assert.equal(result.manifest.runtimeVersion, '1.2.0');
    assert.equal(result.signerKeyId, k1.keyId);
    for (const f of result.manifest.files) {
      assert.equal(createHash('sha256').update(await readFile(join(u.slot, f.path))).digest('hex'), f.sha256);
    }
    assert.deepEqual(JSON.parse(await readFile(join(u.slot, SLOT_MANIFEST_FILE), 'utf8')), result.manifest);
    assert.deepEqual(Object.keys(await snapshot(u.slots)).filter((p) => !p.startsWith('b')), [], 'nothing left beside the slot');
    await assert.rejects(readFile(join(u.slot, 'old-runtime.js')), /ENOENT/);
    assert.equal(progress.at(-1), result.manifest.payloadSize);
  });
});

describe('bit flips', () => {
  for (const [where, pick] of [
    ['start', (from: number, _to: number) => from + 5],
    ['middle', (from: number, to: number) => Math.floor((from + to) / 2)],
    ['last block', (_from: number, to: number) => to - 100],
  ] as const) {
    test(`in the manifest's ${where}: refused before anything is written`, async () => {
      const { manifestAt, payloadAt } = sections(good);
      // a flip inside the base64 payload or the signature breaks the signature; one in the JSON
      // around them leaves no sigstore bundle to check
      const err = await refused(await freshUnit(), sender(flipped(good, pick(manifestAt, payloadAt))), ['bad-signature', 'unsigned']);
      assert.doesNotMatch(err.message, /BEGIN|PRIVATE/);
    });
    test(`in the payload's ${where}: refused, the staging area removed`, async () => {
      const { payloadAt } = sections(good);
      const err = await refused(await freshUnit(), sender(flipped(good, pick(payloadAt, good.length))), 'payload-mismatch');
      assert.match(err.message, /dist|\.js/);
    });
  }
  test("in the header: refused as a damaged header", async () => {
    await refused(await freshUnit(), sender(flipped(good, 14)), 'bad-header');
  });
});

describe('signatures and keys', () => {
  test('an unsigned bundle (straight from build) is refused', async () => {
    await refused(await freshUnit(), sender(await makeBundle({ dir: root, tag: 'unsigned', key: null })), 'unsigned');
  });
  test('a bundle signed with a key the unit does not trust is refused', async () => {
    await refused(await freshUnit([k1]), sender(await makeBundle({ dir: root, tag: 'k2', key: k2 })), 'unknown-key');
  });
  test('a key list signed by a trusted key rotates keys; the revoked key is refused from then on; an older list is ignored, a rewritten one refused', async () => {
    const u = await freshUnit([k1]);
    const rotate = keyListOf(1, [k2], [k1]);
    const viaK2 = await makeBundle({ dir: root, tag: 'rot', key: k2, keyList: { list: rotate, signer: k1 } });
    const res = await install(u, sender(viaK2));
    assert.equal(res.keyListSequence, 1);
    // the list survives a restart of the unit
    const reopened = await KeyListStore.open(u.keyFile, [k1.publicKeyPem]);
    assert.equal(reopened.current().sequence, 1);
    const u2 = { ...u, keys: reopened };
    await refused(u2, sender(good), 'revoked-key');
    // a replayed list 1 with k1 back in, signed by k1: k1 is revoked, so the list is not trusted
    const replay = await makeBundle({ dir: root, tag: 'replay', key: k1, keyList: { list: keyListOf(2, [k1, k2]), signer: k1 } });
    await refused(u2, sender(replay), 'revoked-key');
    // list 2 signed by k2 that forgets k1's revocation is refused
    const unrevoke = await makeBundle({ dir: root, tag: 'unrevoke', key: k2, keyList: { list: keyListOf(2, [k1, k2]), signer: k2 } });
    await refused(u2, sender(unrevoke), 'bad-key-list');
    // list 2 adds k3; a later bundle carrying the older list 1 (k2 only) installs but keeps list 2
    const k3 = vendorKey();
    await install(u2, sender(await makeBundle({ dir: root, tag: 'add-k3', key: k2, keyList: { list: keyListOf(2, [k2, k3], [k1]), signer: k2 } })));
    const older = await install(u2, sender(await makeBundle({ dir: root, tag: 'older-list', key: k2, keyList: { list: rotate, signer: k1 } })));
    assert.equal(older.keyListSequence, 2);
    assert.equal(u2.keys.current().sequence, 2);
    assert.equal((await install(u2, sender(await makeBundle({ dir: root, tag: 'by-k3', key: k3 })))).signerKeyId, k3.keyId);
  });
  test('a key list not signed by a trusted key is refused', async () => {
    const k3 = vendorKey();
    const b = await makeBundle({ dir: root, tag: 'selfsigned-list', key: k3, keyList: { list: keyListOf(5, [k3]), signer: k3 } });
    await refused(await freshUnit([k1]), sender(b), 'unknown-key');
  });
});

describe('anti-rollback', () => {
  const newer: UnitFacts = { ...UNIT, installedVersion: '1.3.0' };
  test('an older runtime without a downgrade permission is refused', async () => {
    await refused(await freshUnit(), sender(good), 'downgrade', { unit: newer });
  });
  test("a permission for another unit or model does not count", async () => {
    const b = await makeBundle({ dir: root, tag: 'dg-other', key: k1, downgrade: { unitIds: ['11111111-2222-4333-8444-555555555555'], models: ['pw-2'] } });
    await refused(await freshUnit(), sender(b), 'downgrade', { unit: newer });
  });
  test('a signed downgrade permission for this unit id, or for its model, allows it', async () => {
    const byUnit = await makeBundle({ dir: root, tag: 'dg-unit', key: k1, downgrade: { unitIds: [UNIT.unitId], models: [] } });
    assert.equal((await install(await freshUnit(), sender(byUnit), { unit: newer })).manifest.runtimeVersion, '1.2.0');
    const byModel = await makeBundle({ dir: root, tag: 'dg-model', key: k1, downgrade: { unitIds: [], models: ['pw-1'] } });
    assert.equal((await install(await freshUnit(), sender(byModel), { unit: newer })).manifest.runtimeVersion, '1.2.0');
  });
  test('a bundle for another model, or needing a newer installed runtime, is refused', async () => {
    await refused(await freshUnit(), sender(good), 'incompatible', { unit: { ...UNIT, model: 'pw-2' } });
    await refused(await freshUnit(), sender(good), 'incompatible', { unit: { ...UNIT, installedVersion: '0.9.9' } });
  });
});

describe('mix-ups, sizes and senders', () => {
  test("one bundle's signed manifest with another's payload is refused", async () => {
    const other = await makeBundle({ dir: root, tag: 'other', key: k1 });
    const a = sections(good);
    const b = sections(other);
    const mixed = Buffer.concat([good.subarray(0, a.payloadAt), other.subarray(b.payloadAt)]);
    await refused(await freshUnit(), sender(mixed), 'payload-mismatch');
    const otherSizes = await makeBundle({ dir: root, tag: 'sizes', key: k1, sizes: [10, 20, 30] });
    const c = sections(otherSizes);
    const header = encodeBundleHeader({ ...a.h, payloadLength: otherSizes.length - c.payloadAt });
    await refused(await freshUnit(), sender(Buffer.concat([header, good.subarray(BUNDLE_HEADER_B, a.payloadAt), otherSizes.subarray(c.payloadAt)])), 'bad-manifest');
  });
  test('a bundle larger than the slot is refused before a byte is written', async () => {
    await refused(await freshUnit(), sender(good), 'too-large', { capacity: 100_000 });
  });
  test('a manifest over its size limit is refused from the header alone', async () => {
    const { h } = sections(good);
    const header = encodeBundleHeader({ ...h, manifestLength: MANIFEST_MAX_B + 1 });
    let pulled = 0;
    async function* counting() {
      for await (const c of sender(Buffer.concat([header, Buffer.alloc(MANIFEST_MAX_B + 1, 0x20)]))) {
        pulled += c.length;
        yield c;
      }
    }
    await refused(await freshUnit(), counting(), 'manifest-too-large');
    assert.ok(pulled <= 64 * 1024, `read ${pulled} bytes of an oversized manifest`);
  });
  test('a sender slower than the deadline is refused, and one silent past the idle limit', async () => {
    await refused(await freshUnit(), sender(good, 20_000, 40), 'deadline', { deadlineMs: 300 });
    async function* stalls() {
      yield good.subarray(0, 1000);
      await new Promise((r) => setTimeout(r, 5_000));
      yield good.subarray(1000);
    }
    const started = Date.now();
    await refused(await freshUnit(), stalls(), 'deadline', { idleMs: 200 });
    assert.ok(Date.now() - started < 4_000, `refused after ${Date.now() - started} ms`);
  });
  test('a truncated bundle, and one with bytes after its payload, are refused', async () => {
    await refused(await freshUnit(), sender(good.subarray(0, good.length - 1)), 'truncated');
    await refused(await freshUnit(), sender(Buffer.concat([good, Buffer.from('x')])), 'bad-header');
  });
  test('a payload changed on disk after verification began is refused: what is hashed is what is written', async () => {
    const file = join(root, 'toctou.pwb');
    await writeFile(file, good);
    const { payloadAt } = sections(good);
    const u = await freshUnit();
    const before = await snapshot(u.slots);
    const stream = createReadStream(file, { highWaterMark: 16 * 1024 });
    let changed = false;
    const err = await verifyAndInstall({
      source: stream,
      target: directoryInstallTarget(u.slot, CAPACITY),
      keys: u.keys,
      unit: UNIT,
      deadlineMs: 30_000,
      onProgress: (p) => {
        if (p.phase !== 'installing' || changed) return;
        changed = true;
        // the signature is checked and the first chunk hashed; now swap a byte near the end
        const fd = openSync(file, 'r+');
        writeSync(fd, Buffer.from([(good[good.length - 10] as number) ^ 0xff]), 0, 1, good.length - 10);
        closeSync(fd);
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(changed && payloadAt > 0);
    assert.ok(err instanceof BundleError && err.code === 'payload-mismatch', String(err));
    assert.deepEqual(await snapshot(u.slots), before);
  });
});
