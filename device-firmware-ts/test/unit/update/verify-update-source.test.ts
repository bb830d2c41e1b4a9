import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleError } from '@pitwall/protocol';
import type { SigningKey } from '@pitwall/protocol/node';
import { bundleUpdateSource, KeyListStore, type UnitFacts } from '../../../src/index.js';
import { makeBundle, sender, snapshot, vendorKey } from '../../helpers/bundles.js';
import { tempDir } from '../../helpers/paths.js';

/** A signed bundle through the update agent's steps: download (verifies), verify, install into the slot. */

const UNIT: UnitFacts = { unitId: '0b6f4c1e-9a42-4c55-8e0b-2f7f3e1d9a10', model: 'pw-1', installedVersion: '1.1.0' };
let root: string;
let cleanup: () => Promise<void>;
let key: SigningKey;
let bundle: Buffer;
let n = 0;

before(async () => {
  ({ dir: root, cleanup } = await tempDir('update-source'));
  key = vendorKey();
  bundle = await makeBundle({ dir: root, tag: 'source', key });
});
after(() => cleanup());

async function source(bytes = bundle) {
  const base = join(root, `u${n++}`);
  await mkdir(base);
  const keys = await KeyListStore.open(join(base, 'keys.json'), [key.publicKeyPem]);
  return { base, staging: join(base, 'update', 'staging'), slot: join(base, 'slots', 'B'), src: bundleUpdateSource({ open: () => sender(bytes), keys, unit: UNIT, capacityBytes: 1 << 24, deadlineMs: 30_000 }) };
}

test('download verifies while staging, verify hands back the payload, writeFiles installs exactly the signed files', async () => {
  const { staging, slot, src } = await source();
  const fractions: number[] = [];
  await src.download(staging, (f) => fractions.push(f));
  assert.equal(fractions.at(-1), 1);
  assert.equal(src.verified()?.signerKeyId, key.keyId);
  const payload = await src.verify(staging, () => {});
  assert.equal(payload.version, '1.2.0');
  assert.equal(payload.entry, 'cli.js');
  let written = 0;
  await payload.writeFiles(slot, (b) => (written += b));
  assert.equal(written, payload.bytes);
  for (const f of src.verified()!.manifest.files) assert.equal(createHash('sha256').update(await readFile(join(slot, f.path))).digest('hex'), f.sha256);
});

test('a staged file changed after download is refused while it is written into the slot', async () => {
  const { staging, slot, src } = await source();
  await src.download(staging, () => {});
  const payload = await src.verify(staging, () => {});
  const f = src.verified()!.manifest.files[0]!;
  const bytes = await readFile(join(staging, f.path));
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 1; // same size, other content
  await writeFile(join(staging, f.path), bytes);
  const err = await payload.writeFiles(slot, () => {}).catch((e: unknown) => e);
  assert.ok(err instanceof BundleError && err.code === 'payload-mismatch', String(err));
});

test('verify without a download in this run, and a bad bundle, are refused; a bad bundle stages nothing', async () => {
  const { staging, src } = await source();
  const err = await src.verify(staging, () => {}).catch((e: unknown) => e);
  assert.ok(err instanceof BundleError && err.code === 'not-verified', String(err));
  const flipped = Buffer.from(bundle);
  flipped[flipped.length - 3] = (flipped[flipped.length - 3] as number) ^ 0x10;
  const bad = await source(flipped);
  const before = await snapshot(bad.base);
  const e2 = await bad.src.download(bad.staging, () => {}).catch((e: unknown) => e);
  assert.ok(e2 instanceof BundleError && e2.code === 'payload-mismatch', String(e2));
  // only the (empty) parent of the staging dir was made
  assert.deepEqual(await snapshot(bad.base), { ...before, update: 'dir' });
  assert.equal(bad.src.verified(), null);
});
