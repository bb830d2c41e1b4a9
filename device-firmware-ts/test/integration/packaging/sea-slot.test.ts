// The update bundle carries the single executable: a signed bundle built around the SEA folder
// (entry pitwall-device, entryKind executable) lists the binary with its sha256 and size, is
// verified and installed into slot A as a unit installs it, and pitwall-boot starts the binary
// itself from the slot (not node), which boots the sim profile and answers GET info.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readlink, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Routes, bundleModelId, deviceInfo } from '@pitwall/protocol';
import { buildBundle, signBundle } from '@pitwall/protocol/node';
import { slotManifest } from '@pitwall/protocol/update';
import { BootMachine } from '../../../../testbed/boot-machine.js';
import { SIM_MODEL } from '../../../src/hal/profiles.js';
import { KeyListStore } from '../../../src/update/key-list-store.js';
import { RUNTIME_NODE_FLAGS } from '../../../src/update/runtime-command.js';
import { installInto } from '../../../src/update/slot-installer.js';
import { SLOT_MANIFEST, slotDir } from '../../../src/update/slot-layout.js';
import { bundleUpdateSource } from '../../../src/update/verify-update-source.js';
import { buildSeaOnce, type SeaBuild } from '../../helpers/sea-build.js';
import { vendorKey } from '../../helpers/bundles.js';
import { https } from '../../helpers/https-client.js';
import { tempDir } from '../../helpers/paths.js';

let sea: SeaBuild;
let work: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  sea = await buildSeaOnce();
  work = await tempDir('sea-slot');
});

after(async () => {
  await work.cleanup();
  await rm(sea.dir, { recursive: true, force: true });
});

const sha256 = async (file: string) => {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
};

/** The runtime the launcher spawned: its only child. */
async function childOf(pid: number): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const tasks = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
    const [child] = tasks.trim().split(/\s+/).filter(Boolean);
    if (child) return Number(child);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`launcher ${pid} has no child`);
}

test('a bundle around the single executable installs into a slot, and the launcher boots the binary from it', async () => {
  const key = vendorKey();
  const unsigned = join(work.dir, 'sea.unsigned.pwb');
  const signed = join(work.dir, 'sea.pwb');
  const manifest = await buildBundle(
    { runtimeDir: sea.dir, runtimeVersion: '1.0.0', entry: 'pitwall-device', entryKind: 'executable', compatibleModels: [bundleModelId(SIM_MODEL)], minReplaceVersion: '0.0.0' },
    unsigned,
  );
  await signBundle(unsigned, signed, key);
  const listed = manifest.files.find((f) => f.path === 'pitwall-device');
  assert.ok(listed, 'the binary is one of the bundle files');
  assert.equal(manifest.entryKind, 'executable');
  assert.equal(listed.size, (await stat(sea.binary)).size);
  assert.equal(listed.sha256, await sha256(sea.binary));

  // Installed as the unit's update agent does: verified while staged, then written into the slot.
  const dataDir = join(work.dir, 'unit');
  const keys = await KeyListStore.open(join(work.dir, 'keys.json'), [key.publicKeyPem]);
  const source = bundleUpdateSource({
    open: () => createReadStream(signed, { highWaterMark: 1 << 20 }),
    keys,
    unit: { unitId: '0b6f4c1e-9a42-4c55-8e0b-2f7f3e1d9a10', model: bundleModelId(SIM_MODEL), installedVersion: '0.1.0' },
    capacityBytes: 1 << 30,
    deadlineMs: 120_000,
  });
  const staging = join(work.dir, 'staging');
  await source.download(staging, () => {});
  const slot = slotDir(dataDir, 'A');
  await installInto(slot, await source.verify(staging, () => {}));
  const installed = slotManifest.parse(JSON.parse(await readFile(join(slot, SLOT_MANIFEST), 'utf8')));
  assert.equal(installed.entryKind, 'executable');
  assert.equal((await stat(join(slot, 'pitwall-device'))).mode & 0o777, 0o755, 'the entry is executable in the slot');
  assert.equal((await stat(join(slot, 'app', 'device-firmware-ts', 'package.json'))).mode & 0o111, 0, 'other files are not');

  const machine = new BootMachine({
    dataDir,
    runtimeArgs: ['sim', '--data-dir', dataDir, '--api-port', '0', '--no-mdns', '--host', '127.0.0.1'],
    trialS: 5,
    watchdogS: 20,
    startTimeoutS: 90,
  });
  try {
    machine.start();
    const ready = await machine.waitFor((e) => e.event === 'ready', 120_000);
    const runtime = await childOf(machine.pid!);
    assert.equal(await readlink(`/proc/${runtime}/exe`), join(slot, 'pitwall-device'), 'the launcher started the slot binary itself');
    const env = await readFile(`/proc/${runtime}/environ`, 'utf8');
    assert.ok(env.split('\0').includes(`NODE_OPTIONS=${RUNTIME_NODE_FLAGS.join(' ')}`), 'the runtime flags reach the binary in NODE_OPTIONS');
    const res = await https(`https://127.0.0.1:${ready.apiPort as number}`, 'GET', Routes.info.path);
    assert.equal(res.status, 200, res.body);
    assert.equal(deviceInfo.parse(JSON.parse(res.body)).id, ready.id);
    const linked = await machine.waitFor((e) => e.launcher === 'runtime-ready' || e.launcher === 'runtime-ended', 60_000);
    assert.equal(linked.launcher, 'runtime-ready', JSON.stringify(machine.events));
    assert.equal(linked.slot, 'A');
  } finally {
    await machine.stop();
  }
});
