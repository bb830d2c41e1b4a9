import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { apiError, Routes, updateStatus } from '@pitwall/protocol';
import { buildBundle, signBundle } from '@pitwall/protocol/node';
import { testVendorKey } from '../../../../testbed/vendor-test-key.js';
import { simPowerOnFile } from '../../../src/hal/sim/sim-power-on.js';
import { pieces, pushBundle } from '../../helpers/bundle-push.js';
import { snapshot } from '../../helpers/bundles.js';
import { makeOperator, readAudit } from '../../helpers/https-client.js';
import { tempDir } from '../../helpers/paths.js';
import { makeRelease } from '../../helpers/slot-releases.js';
import { recoveryUnit } from '../../helpers/recovery-unit.js';

test('recovery mode installs a signed bundle (owner or dealer) into the slot that is not last good; staff, strangers and a bad bundle are refused with the slots unchanged; the next normal boot tries the new slot and commits it', async () => {
  const { dir, cleanup } = await tempDir('recovery-install');
  const vendor = await testVendorKey(dir);
  const [owner, dealer, staff, stranger] = await Promise.all(['owner', 'dealer', 'staff', 'stranger'].map((n) => makeOperator(n)));
  const { dataDir, records, machine } = await recoveryUnit(dir, [[owner!, 'owner'], [dealer!, 'dealer'], [staff!, 'staff']], ['--vendor-keys', vendor.keysDir]);
  const unsigned = join(dir, 'u.pwb');
  const signed = join(dir, 's.pwb');
  await buildBundle({ runtimeDir: await makeRelease(dir, '2.0.0', 'good'), runtimeVersion: '2.0.0', entry: 'runtime.mjs', compatibleModels: ['PW-1-sim'], minReplaceVersion: '0.0.1' }, unsigned);
  await signBundle(unsigned, signed, vendor.key);
  const good = await readFile(signed);
  const flipped = Buffer.from(good);
  flipped[Math.floor(flipped.length / 2)]! ^= 0x10;
  try {
    machine.start();
    const ready = await machine.waitFor((e) => e.recovery === 'ready', 30_000);
    const port = ready.apiPort as number;
    const install = (client: typeof owner, bytes: Uint8Array) => pushBundle(port, client, pieces(bytes), 0, 30_000, Routes.recoveryInstall.path);

    // Refused on the headers (so a short body, sent whole before the answer): no key, an unpaired
    // key, staff; then the owner's tampered and unsigned bundles, refused by the verifier.
    const slotsBefore = await snapshot(join(dataDir, 'slots'));
    const recordBefore = (await records.read()).record;
    const head = good.subarray(0, 1024);
    for (const [client, bytes, want] of [
      [undefined, head, 401],
      [stranger, head, 401],
      [staff, head, 403],
      [owner, flipped, 400],
      [owner, await readFile(unsigned), 400],
    ] as const) {
      const r = await install(client, bytes);
      assert.equal(r.status, want, `${client?.fingerprint ?? 'nobody'}: ${r.body}`);
      apiError.parse(JSON.parse(r.body));
    }
    assert.deepEqual(await snapshot(join(dataDir, 'slots')), slotsBefore, 'the slots are as they were');
    const refused = (await records.read()).record;
    assert.deepEqual(refused.slots, recordBefore.slots);
    assert.equal(refused.tried, null);
    assert.equal(refused.lastGood, 'A');

    // The dealer's signed bundle: installed into B, which the next normal boot tries.
    const ok = await install(dealer, good);
    assert.equal(ok.status, 200, ok.body);
    const status = updateStatus.parse(JSON.parse(ok.body));
    assert.equal(status.booted, null);
    assert.equal(status.operation, 'rebooting');
    assert.equal(status.tried, 'B');
    assert.deepEqual(status.slots, { A: { version: '1.0.0', status: 'good' }, B: { version: '2.0.0', status: 'installed' } });
    assert.deepEqual(await snapshot(join(dataDir, 'slots', 'A')), Object.fromEntries(Object.entries(slotsBefore).filter(([k]) => k.startsWith('A/')).map(([k, v]) => [k.slice(2), v])), 'slot A untouched');
    const again = await install(owner, good);
    assert.equal(again.status, 409, `a second install waits for the trial: ${again.body}`);
    const audit = (await readAudit(dataDir)).filter((r) => r.event === 'update');
    assert.ok(audit.some((r) => r.outcome === 'refused' && r.operatorFingerprint === owner!.fingerprint), JSON.stringify(audit));
    assert.ok(audit.some((r) => r.outcome === 'ok' && r.operatorFingerprint === dealer!.fingerprint && r.detail.startsWith('installed runtime 2.0.0')), JSON.stringify(audit));

    // Button released, power cycled: the launcher boots B on trial and its health gate commits it.
    await machine.stop();
    await rm(simPowerOnFile(dataDir));
    const mark = machine.events.length;
    machine.start();
    const boot = await machine.waitFor((e) => e.launcher === 'boot', 30_000, mark);
    assert.equal(boot.slot, 'B');
    assert.equal(boot.trial, true);
    assert.equal(boot.version, '2.0.0');
    const end = await machine.waitFor((e) => e.launcher === 'committed' || e.launcher === 'runtime-ended', 30_000, machine.events.indexOf(boot));
    assert.equal(end.launcher, 'committed', JSON.stringify(machine.events.slice(mark)));
    const after = (await records.read()).record;
    assert.equal(after.lastGood, 'B');
    assert.deepEqual(after.slots.B, { version: '2.0.0', status: 'good' });
  } finally {
    await machine.stop();
    await cleanup();
  }
});
