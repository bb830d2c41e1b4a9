import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { silentLogger } from '../../../src/ops/logger.js';
import { RecoveryRefusal, rollBackTo } from '../../../src/recovery/recovery-rollback.js';
import { BootRecordStore, initialRecord } from '../../../src/update/boot-record-store.js';
import { directoryPayload, installInto } from '../../../src/update/slot-installer.js';
import { slotDir } from '../../../src/update/slot-layout.js';
import { tempDir } from '../../helpers/paths.js';
import { makeRelease } from '../../helpers/slot-releases.js';

test('recovery rollback: refuses an empty slot and one that failed its health gate (record untouched), else names the slot active and last good', async () => {
  const { dir, cleanup } = await tempDir('recovery-rollback');
  const dataDir = join(dir, 'unit');
  const store = new BootRecordStore(dataDir, silentLogger);
  try {
    await installInto(slotDir(dataDir, 'A'), await directoryPayload(await makeRelease(dir, '1.0.0', 'good', 1024), { version: '1.0.0', entry: 'runtime.mjs' }));
    const record = initialRecord('A');
    record.slots.A = { version: '1.0.0', status: 'good' };
    await store.write(record);
    const before = (await store.read()).record;

    await assert.rejects(rollBackTo(dataDir, 'B', silentLogger), (e: unknown) => e instanceof RecoveryRefusal && e.status === 409 && e.code === 'slot-empty');
    assert.deepEqual((await store.read()).record, before);

    await installInto(slotDir(dataDir, 'B'), await directoryPayload(await makeRelease(dir, '2.0.0', 'good', 1024), { version: '2.0.0', entry: 'runtime.mjs' }));
    await store.write({ ...before, slots: { ...before.slots, B: { version: '2.0.0', status: 'bad' } } });
    const bad = (await store.read()).record;
    await assert.rejects(rollBackTo(dataDir, 'B', silentLogger), (e: unknown) => e instanceof RecoveryRefusal && e.code === 'slot-bad');
    assert.deepEqual((await store.read()).record, bad);

    await store.write({ ...bad, slots: { ...bad.slots, B: { version: '2.0.0', status: 'installed' } }, update: { ...bad.update, state: 'failed', lastError: 'x' } });
    const { record: after, version } = await rollBackTo(dataDir, 'B', silentLogger);
    assert.equal(version, '2.0.0');
    assert.equal(after.active, 'B');
    assert.equal(after.lastGood, 'B');
    assert.equal(after.tried, null);
    assert.equal(after.update.state, 'idle');
    assert.deepEqual(after.slots.B, { version: '2.0.0', status: 'good' });
    assert.deepEqual((await store.read()).record, after);
  } finally {
    await cleanup();
  }
});
