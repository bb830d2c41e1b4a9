import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Routes, updateStatus, type UpdateStatus } from '@pitwall/protocol';
import { BootMachine, type BootEvent } from '../../../../testbed/boot-machine.js';
import { silentLogger } from '../../../src/ops/logger.js';
import { BootRecordStore } from '../../../src/update/boot-record-store.js';
import { directoryPayload, directoryUpdate, installInto } from '../../../src/update/slot-installer.js';
import { slotDir } from '../../../src/update/slot-layout.js';
import { UpdateAgent } from '../../../src/update/update-state-runner.js';
import { https, makeOperator, pairOverSerial } from '../../helpers/https-client.js';
import { tempDir } from '../../helpers/paths.js';
import { realRuntimeRelease } from '../../helpers/slot-releases.js';

const unitReady = (e: BootEvent) => e.event === 'ready';

test('the real runtime under pitwall-boot: linked to the launcher, its GNSS fixes and HTTPS API pass the health gate of a new slot, and GET /v1/update (paired only) reports it', async () => {
  const { dir, cleanup } = await tempDir('real-slots');
  const dataDir = join(dir, 'unit');
  const runtimeArgs = ['sim', '--data-dir', dataDir, '--api-port', '0', '--no-mdns', '--host', '127.0.0.1', '--speed', '5'];
  const machine = new BootMachine({ dataDir, runtimeArgs, trialS: 8, watchdogS: 10, startTimeoutS: 90 });
  try {
    await installInto(slotDir(dataDir, 'A'), await directoryPayload(await realRuntimeRelease(dir, '1.0.0'), { version: '1.0.0', entry: 'runtime.mjs' }));
    machine.start();
    const first = await machine.waitFor(unitReady, 90_000);
    const owner = await makeOperator('owner');
    await pairOverSerial(first.serialPath as string, owner, 'owner');
    const get = async (port: unknown, client = true): Promise<{ status: number; body: string }> =>
      https(`https://127.0.0.1:${port as number}`, 'GET', Routes.update.path, { client: client ? owner : undefined, timeoutMs: 15_000 });

    const anonymous = await get(first.apiPort, false);
    assert.equal(anonymous.status, 401, anonymous.body);
    const before: UpdateStatus = updateStatus.parse(JSON.parse((await get(first.apiPort)).body));
    assert.equal(before.booted, 'A');
    assert.equal(before.operation, 'idle');
    assert.deepEqual(before.slots.A, { version: '1.0.0', status: 'good' });

    // The update, written beside the running unit as the agent would; then the unit reboots.
    await machine.stop();
    const agent = new UpdateAgent({ store: new BootRecordStore(dataDir, silentLogger), log: silentLogger, booted: 'A', reboot: () => {} });
    await agent.run(directoryUpdate(await realRuntimeRelease(dir, '2.0.0'), { version: '2.0.0', entry: 'runtime.mjs' }));
    const mark = machine.events.length;
    machine.start();
    const trial = await machine.waitFor(unitReady, 90_000, mark);
    const during = updateStatus.parse(JSON.parse((await get(trial.apiPort)).body));
    assert.equal(during.booted, 'B');
    assert.equal(during.operation, 'trying');
    assert.equal(during.tried, 'B');
    const committed = await machine.waitFor((e) => e.launcher === 'committed' || e.launcher === 'runtime-ended', 60_000, mark);
    assert.equal(committed.launcher, 'committed', JSON.stringify(machine.events.slice(mark)));
    const after = updateStatus.parse(JSON.parse((await get(trial.apiPort)).body));
    assert.equal(after.operation, 'committed');
    assert.equal(after.active, 'B');
    assert.deepEqual(after.slots, { A: { version: '1.0.0', status: 'good' }, B: { version: '2.0.0', status: 'good' } });
  } finally {
    await machine.stop();
    await cleanup();
  }
});
