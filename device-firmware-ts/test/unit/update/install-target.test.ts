import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleError } from '@pitwall/protocol';
import type { SigningKey } from '@pitwall/protocol/node';
import { directoryInstallTarget, KeyListStore, verifyAndInstall, type InstallTarget, type UnitFacts } from '../../../src/index.js';
import { makeBundle, sender, snapshot, vendorKey } from '../../helpers/bundles.js';
import { tempDir } from '../../helpers/paths.js';

/**
 * The slot side of an install: a write that fails part-way (disk full), leftovers of an install
 * killed mid-commit, two installs into one slot at once, and a damaged key list on the unit.
 */

const UNIT: UnitFacts = { unitId: '0b6f4c1e-9a42-4c55-8e0b-2f7f3e1d9a10', model: 'pw-1', installedVersion: '1.1.0' };
let root: string;
let cleanup: () => Promise<void>;
let key: SigningKey;
let bundle: Buffer;

before(async () => {
  ({ dir: root, cleanup } = await tempDir('install-target'));
  key = vendorKey();
  bundle = await makeBundle({ dir: root, tag: 'target', key });
});
after(() => cleanup());

async function slotWithOldRuntime(name: string): Promise<{ slots: string; slot: string; keys: KeyListStore }> {
  const slots = join(root, name);
  const slot = join(slots, 'b');
  await mkdir(slot, { recursive: true });
  await writeFile(join(slot, 'old.js'), 'old\n');
  return { slots, slot, keys: await KeyListStore.open(join(root, `${name}-keys.json`), [key.publicKeyPem]) };
}

/** The directory target, with every write after the first `okWrites` failing as a full disk does. */
function fullDiskAfter(inner: InstallTarget, okWrites: number): InstallTarget {
  return {
    capacityBytes: inner.capacityBytes,
    async stage() {
      const staged = await inner.stage();
      let writes = 0;
      return {
        ...staged,
        commit: (m) => staged.commit(m),
        discard: () => staged.discard(),
        async openFile(path, size) {
          const file = await staged.openFile(path, size);
          return {
            async write(chunk) {
              if (++writes > okWrites) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
              await file.write(chunk);
            },
            finish: () => file.finish(),
          };
        },
      };
    },
  };
}

test('a disk that fills part-way: refused as install-failed, the slot as it was', async () => {
  const u = await slotWithOldRuntime('full');
  const before = await snapshot(u.slots);
  const err = await verifyAndInstall({ source: sender(bundle, 8192), target: fullDiskAfter(directoryInstallTarget(u.slot, 1 << 24), 5), keys: u.keys, unit: UNIT, deadlineMs: 30_000 }).catch((e: unknown) => e);
  assert.ok(err instanceof BundleError && err.code === 'install-failed', String(err));
  assert.match(err.message, /ENOSPC/);
  assert.deepEqual(await snapshot(u.slots), before);
});

test('leftovers of an install killed mid-commit are cleared by the next install', async () => {
  const u = await slotWithOldRuntime('leftovers');
  await mkdir(`${u.slot}.staging/dist`, { recursive: true });
  await writeFile(`${u.slot}.staging/dist/half.js`, 'half written');
  await mkdir(`${u.slot}.replaced`);
  await writeFile(`${u.slot}.replaced/old.js`, 'old\n');
  await verifyAndInstall({ source: sender(bundle), target: directoryInstallTarget(u.slot, 1 << 24), keys: u.keys, unit: UNIT, deadlineMs: 30_000 });
  assert.deepEqual((await readdir(u.slots)).sort(), ['b']);
  await assert.rejects(readFile(join(u.slot, 'dist', 'half.js')), /ENOENT/);
});

test('two installs into one slot at once: the second is refused, the first completes', async () => {
  const u = await slotWithOldRuntime('twice');
  const target = directoryInstallTarget(u.slot, 1 << 24);
  let writing!: () => void;
  const firstWrites = new Promise<void>((r) => (writing = r));
  const first = verifyAndInstall({ source: sender(bundle, 4096, 2), target, keys: u.keys, unit: UNIT, deadlineMs: 60_000, onProgress: (p) => p.phase === 'installing' && writing() });
  await firstWrites;
  const second = await verifyAndInstall({ source: sender(bundle), target: directoryInstallTarget(u.slot, 1 << 24), keys: u.keys, unit: UNIT, deadlineMs: 30_000 }).catch((e: unknown) => e);
  assert.ok(second instanceof BundleError && /in progress/.test(second.message), String(second));
  assert.equal((await first).manifest.runtimeVersion, '1.2.0');
  // and once it is done the slot takes installs again
  await verifyAndInstall({ source: sender(bundle), target, keys: u.keys, unit: UNIT, deadlineMs: 30_000 });
});

test('a damaged key list on the unit refuses updates instead of falling back to the pinned keys', async () => {
  const file = join(root, 'damaged-keys.json');
  await writeFile(file, '{"format":1,"sequence":3,"keys":[');
  const err = await KeyListStore.open(file, [key.publicKeyPem]).catch((e: unknown) => e);
  assert.ok(err instanceof BundleError && err.code === 'bad-key-list', String(err));
  assert.match(err.message, /damaged/);
});
