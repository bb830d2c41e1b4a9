import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { apiError, factoryResetResult, recoveryRollbackResult, recoveryStatus, Routes } from '@pitwall/protocol';
import { BootMachine } from '../../../../testbed/boot-machine.js';
import { simGpioCommand } from '../../../../testbed/sim-gpio.js';
import { silentLogger } from '../../../src/ops/logger.js';
import { loadUnitIdentity } from '../../../src/identity/unit-identity.js';
import { openOperatorStore } from '../../../src/identity/operator-store.js';
import { simPowerOnFile } from '../../../src/hal/sim/sim-power-on.js';
import { BootRecordStore, initialRecord } from '../../../src/update/boot-record-store.js';
import { directoryPayload, installInto } from '../../../src/update/slot-installer.js';
import { slotDir } from '../../../src/update/slot-layout.js';
import { https, makeOperator, type OperatorCreds } from '../../helpers/https-client.js';
import { tempDir } from '../../helpers/paths.js';
import { DEVICE_DIST, makeRelease } from '../../helpers/slot-releases.js';

const hardware = { serial: 'RECOVERY-TEST-0001', source: 'cpuinfo' as const, warning: null };

/** A unit that has lived: slots A (1.0.0) and B (2.0.0, active), an owner and a staff member paired, a session, logs, a saved Wi-Fi network. */
async function livedInUnit(dir: string, dataDir: string, owner: OperatorCreds, staff: OperatorCreds) {
  const identity = await loadUnitIdentity(dataDir, { model: 'sim', log: silentLogger, hardware });
  const operators = await openOperatorStore(dataDir);
  await operators.add({ fingerprint: owner.fingerprint, name: 'owner', role: 'owner', via: 'usb' });
  await operators.add({ fingerprint: staff.fingerprint, name: 'staff', role: 'staff', via: 'usb' });
  for (const [slot, version] of [['A', '1.0.0'], ['B', '2.0.0']] as const) {
    await installInto(slotDir(dataDir, slot), await directoryPayload(await makeRelease(dir, version, 'good'), { version, entry: 'runtime.mjs' }));
  }
  const record = initialRecord('B');
  record.slots = { A: { version: '1.0.0', status: 'good' }, B: { version: '2.0.0', status: 'good' } };
  await new BootRecordStore(dataDir, silentLogger).write(record);
  for (const [sub, file] of [['sessions', '2026-12-06T10-00-00Z.pws'], ['logs', 'boot-1.jsonl'], ['nm-connections', 'pitwall-1111.nmconnection']] as const) {
    await mkdir(join(dataDir, sub), { recursive: true });
    await writeFile(join(dataDir, sub, file), 'x');
  }
  return identity;
}

test('recovery button held at boot: recovery mode instead of the slot (LED, paired owner only), bad input changes nothing, rollback, factory reset keeping the identity', async () => {
  const { dir, cleanup } = await tempDir('recovery');
  const dataDir = join(dir, 'unit');
  const [owner, staff, stranger, dealer] = await Promise.all([makeOperator('owner'), makeOperator('staff'), makeOperator('stranger'), makeOperator('dealer')]);
  const identity = await livedInUnit(dir, dataDir, owner, staff);
  await (await openOperatorStore(dataDir)).add({ fingerprint: dealer.fingerprint, name: 'dealer', role: 'dealer', via: 'usb' });
  await mkdir(join(dataDir, 'sim'), { recursive: true });
  await writeFile(simPowerOnFile(dataDir), JSON.stringify({ recoveryHeld: true }));
  const runtimeArgs = ['sim', '--data-dir', dataDir, '--api-port', '0', '--host', '127.0.0.1'];
  const machine = new BootMachine({ dataDir, runtimeArgs, trialS: 2, watchdogS: 5, startTimeoutS: 20, env: { PITWALL_DEVICE_DIST: DEVICE_DIST } });
  const records = new BootRecordStore(dataDir, silentLogger);
  try {
    machine.start();
    const ready = await machine.waitFor((e) => e.recovery === 'ready', 30_000);
    assert.equal(ready.unitId, identity.id);
    assert.ok(machine.events.some((e) => e.launcher === 'recovery'));
    assert.ok(!machine.events.some((e) => e.launcher === 'boot' || e.runtime !== undefined), `no slot was started: ${JSON.stringify(machine.events)}`);
    assert.equal(JSON.parse(await simGpioCommand(dataDir, 'led-patterns')).pair, 'double-blink');

    const base = `https://127.0.0.1:${ready.apiPort as number}`;
    const call = (method: string, path: string, client?: OperatorCreds, body?: object | string) => https(base, method, path, { client, body, timeoutMs: 15_000, ...(typeof body === 'string' ? { headers: { 'content-type': 'application/json' } } : {}) });
    const status = await call('GET', Routes.recovery.path, owner);
    assert.equal(status.status, 200, status.body);
    const s = recoveryStatus.parse(JSON.parse(status.body));
    assert.equal(s.active, 'B');
    assert.equal(s.unitId, identity.id);
    assert.equal((await call('GET', Routes.recovery.path, dealer)).status, 200, 'a dealer may recover the unit too');

    // Refusals: no certificate, an unpaired key, a paired staff member; then bad input from the owner.
    const seqBefore = (await records.read()).record.seq;
    for (const [client, want] of [[undefined, 401], [stranger, 401], [staff, 403]] as const) {
      for (const [path, body] of [[Routes.recoveryRollback.path, { slot: 'A' }], [Routes.factoryReset.path, { confirmUnitId: identity.id }]] as const) {
        const r = await call('POST', path, client, body);
        assert.equal(r.status, want, `${path} as ${client?.fingerprint ?? 'nobody'}: ${r.body}`);
        apiError.parse(JSON.parse(r.body));
      }
    }
    const bad: Array<[string, object | string, number]> = [
      [Routes.recoveryRollback.path, { slot: 'C' }, 400],
      [Routes.recoveryRollback.path, { slot: 'A', extra: 1 }, 400],
      [Routes.recoveryRollback.path, '{"slot":', 400],
      [Routes.factoryReset.path, { confirmUnitId: 'someone-else' }, 400],
      [Routes.factoryReset.path, {}, 400],
      [Routes.factoryReset.path, { confirmUnitId: 'x'.repeat(5000) }, 413],
    ];
    for (const [path, body, want] of bad) {
      const r = await call('POST', path, owner, body);
      assert.equal(r.status, want, `${path} ${JSON.stringify(body).slice(0, 60)}: ${r.body}`);
      apiError.parse(JSON.parse(r.body));
    }
    assert.equal((await records.read()).record.seq, seqBefore, 'the boot record is untouched by refusals');
    assert.deepEqual(await readdir(join(dataDir, 'sessions')), ['2026-12-06T10-00-00Z.pws']);
    assert.equal((await openOperatorStore(dataDir)).list().length, 3);

    // Rollback to A: the record names A active and last good.
    const rolled = await call('POST', Routes.recoveryRollback.path, owner, { slot: 'A' });
    assert.equal(rolled.status, 200, rolled.body);
    assert.deepEqual(recoveryRollbackResult.parse(JSON.parse(rolled.body)), { active: 'A', version: '1.0.0' });
    const after = (await records.read()).record;
    assert.equal(after.active, 'A');
    assert.equal(after.lastGood, 'A');

    // Factory reset: data and operators gone, the identity and key kept, audited.
    const reset = await call('POST', Routes.factoryReset.path, owner, { confirmUnitId: identity.id });
    assert.equal(reset.status, 200, reset.body);
    const result = factoryResetResult.parse(JSON.parse(reset.body));
    assert.deepEqual([...result.wiped].sort(), ['logs', 'operators', 'sessions', 'wifi-profiles']);
    assert.equal(result.unitId, identity.id);
    assert.equal(result.fingerprint, identity.fingerprint);
    const kept = await loadUnitIdentity(dataDir, { model: 'sim', log: silentLogger, hardware });
    assert.equal(kept.id, identity.id);
    assert.equal(kept.fingerprint, identity.fingerprint);
    assert.deepEqual(kept.problems, []);
    assert.equal((await openOperatorStore(dataDir)).list().length, 0);
    await assert.rejects(readdir(join(dataDir, 'sessions')), { code: 'ENOENT' });
    await assert.rejects(readdir(join(dataDir, 'logs')), { code: 'ENOENT' });
    assert.deepEqual(await readdir(join(dataDir, 'nm-connections')), []);
    const audit = await readFile(join(dataDir, 'audit', 'audit.jsonl'), 'utf8');
    assert.match(audit, /"event":"recovery".*rolled back to slot A/);
    assert.match(audit, new RegExp(`"event":"recovery".*"operatorFingerprint":"${owner.fingerprint.replace(/[+/]/g, '\\$&')}".*factory reset: wiped`));
    // The former owner is a stranger now.
    assert.equal((await call('GET', Routes.recovery.path, owner)).status, 401);

    // Button released, power cycled: the launcher boots the slot recovery rolled back to.
    await machine.stop();
    await rm(simPowerOnFile(dataDir));
    const mark = machine.events.length;
    machine.start();
    const boot = await machine.waitFor((e) => e.launcher === 'boot', 30_000, mark);
    assert.equal(boot.slot, 'A');
    assert.equal(boot.version, '1.0.0');
  } finally {
    await machine.stop();
    await cleanup();
  }
});
