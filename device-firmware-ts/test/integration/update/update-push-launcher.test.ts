import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Routes, updateStatus, type UpdateStatus } from '@pitwall/protocol';
import { buildBundle, signBundle } from '@pitwall/protocol/node';
import { BootMachine, type BootEvent } from '../../../../testbed/boot-machine.js';
import { testVendorKey } from '../../../../testbed/vendor-test-key.js';
import { directoryPayload, installInto } from '../../../src/update/slot-installer.js';
import { slotDir } from '../../../src/update/slot-layout.js';
import { pieces, pushBundle } from '../../helpers/bundle-push.js';
import { https, makeOperator, pairOverSerial, readAudit } from '../../helpers/https-client.js';
import { tempDir } from '../../helpers/paths.js';
import { realRuntimeRelease } from '../../helpers/slot-releases.js';

const unitReady = (e: BootEvent) => e.event === 'ready';

test('a signed bundle pushed over HTTPS to the real runtime under pitwall-boot: installed, rebooted into slot B, trying, then committed by the health gate, each step audited', async () => {
  const { dir, cleanup } = await tempDir('push-launcher');
  const dataDir = join(dir, 'unit');
  const vendor = await testVendorKey(dir);
  const runtimeArgs = ['sim', '--data-dir', dataDir, '--api-port', '0', '--no-mdns', '--host', '127.0.0.1', '--speed', '5', '--vendor-keys', vendor.keysDir];
  const machine = new BootMachine({ dataDir, runtimeArgs, trialS: 8, watchdogS: 10, startTimeoutS: 90 });
  try {
    await installInto(slotDir(dataDir, 'A'), await directoryPayload(await realRuntimeRelease(dir, '0.0.5'), { version: '0.0.5', entry: 'runtime.mjs' }));
    const unsigned = join(dir, 'u.pwb');
    const signed = join(dir, 's.pwb');
    const release = await realRuntimeRelease(dir, '2.0.0');
    await buildBundle({ runtimeDir: release, runtimeVersion: '2.0.0', entry: 'runtime.mjs', compatibleModels: ['PW-1-sim'], minReplaceVersion: '0.0.1' }, unsigned);
    await signBundle(unsigned, signed, vendor.key);
    machine.start();
    const first = await machine.waitFor(unitReady, 90_000);
    const owner = await makeOperator('owner');
    await pairOverSerial(first.serialPath as string, owner, 'owner');
    const get = async (port: unknown): Promise<UpdateStatus> =>
      updateStatus.parse(JSON.parse((await https(`https://127.0.0.1:${port as number}`, 'GET', Routes.update.path, { client: owner, timeoutMs: 15_000 })).body));
    const mark = machine.events.length;

    const pushed = await pushBundle(first.apiPort as number, owner, pieces(await readFile(signed)));
    assert.equal(pushed.status, 200, pushed.body);
    assert.deepEqual(updateStatus.parse(JSON.parse(pushed.body)).slots.B, { version: '2.0.0', status: 'installed' });

    // The runtime asks pitwall-boot for the reboot; the launcher starts slot B on trial.
    const trial = await machine.waitFor(unitReady, 90_000, mark);
    const onTrial = machine.events.indexOf(trial);
    assert.ok(machine.events.slice(mark, onTrial).some((e) => e.launcher === 'runtime-ended' && (e.outcome as { kind: string }).kind === 'reboot'), 'slot A ended for the reboot');
    const during = await get(trial.apiPort);
    assert.equal(during.booted, 'B');
    assert.equal(during.operation, 'trying');
    const committed = await machine.waitFor((e) => e.launcher === 'committed' || e.launcher === 'runtime-ended', 60_000, onTrial);
    assert.equal(committed.launcher, 'committed', JSON.stringify(machine.events.slice(onTrial)));
    const after = await get(trial.apiPort);
    assert.equal(after.operation, 'committed');
    assert.deepEqual(after.slots.B, { version: '2.0.0', status: 'good' });
    // The runtime audits the commit once it sees it (it looks every few seconds).
    const until = Date.now() + 20_000;
    let audit = (await readAudit(dataDir)).filter((r) => r.event === 'update');
    while (!audit.some((r) => r.detail.includes('committed')) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      audit = (await readAudit(dataDir)).filter((r) => r.event === 'update');
    }
    assert.ok(audit.some((r) => r.outcome === 'ok' && r.operatorFingerprint === owner.fingerprint && r.detail.startsWith('installed runtime 2.0.0')), JSON.stringify(audit));
    assert.ok(audit.some((r) => r.outcome === 'ok' && r.via === 'boot' && r.detail.includes('2.0.0 committed in slot B')), JSON.stringify(audit));
  } finally {
    await machine.stop();
    await cleanup();
  }
});
