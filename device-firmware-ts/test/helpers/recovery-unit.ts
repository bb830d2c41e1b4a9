import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BootMachine } from '../../../testbed/boot-machine.js';
import { openOperatorStore } from '../../src/identity/operator-store.js';
import { loadUnitIdentity } from '../../src/identity/unit-identity.js';
import { simPowerOnFile } from '../../src/hal/sim/sim-power-on.js';
import { silentLogger } from '../../src/ops/logger.js';
import { BootRecordStore, initialRecord } from '../../src/update/boot-record-store.js';
import type { OperatorCreds } from './https-client.js';
import { DEVICE_DIST, factoryInstall, makeRelease } from './slot-releases.js';

/**
 * A sim unit about to power on with the recovery button held: slot A holds release 1.0.0 (good,
 * the last good slot), B is empty, `operators` are paired. `runtimeArgs` follow the data dir.
 */
export async function recoveryUnit(dir: string, operators: Array<[OperatorCreds, 'owner' | 'dealer' | 'staff']>, runtimeArgs: string[]) {
  const dataDir = join(dir, 'unit');
  const identity = await loadUnitIdentity(dataDir, { model: 'sim', log: silentLogger, hardware: { serial: 'RECOVERY-INSTALL-0001', source: 'cpuinfo', warning: null } });
  const store = await openOperatorStore(dataDir);
  for (const [op, role] of operators) await store.add({ fingerprint: op.fingerprint, name: role, role, via: 'usb' });
  await factoryInstall(dataDir, await makeRelease(dir, '1.0.0', 'good'), '1.0.0');
  const records = new BootRecordStore(dataDir, silentLogger);
  await records.write({ ...initialRecord('A'), slots: { A: { version: '1.0.0', status: 'good' }, B: { version: null, status: 'empty' } } });
  await mkdir(join(dataDir, 'sim'), { recursive: true });
  await writeFile(simPowerOnFile(dataDir), JSON.stringify({ recoveryHeld: true }));
  const args = ['sim', '--data-dir', dataDir, '--api-port', '0', '--host', '127.0.0.1', ...runtimeArgs];
  const machine = new BootMachine({ dataDir, runtimeArgs: args, trialS: 1, watchdogS: 5, startTimeoutS: 20, env: { PITWALL_DEVICE_DIST: DEVICE_DIST } });
  return { dataDir, identity, records, machine };
}
