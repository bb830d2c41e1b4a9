import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UpdateStateName } from '@pitwall/protocol';
import { BootRecordStore, initialRecord } from '../../../src/update/boot-record-store.js';
import { directoryPayload, directoryUpdate, installInto } from '../../../src/update/slot-installer.js';
import { readSlotManifest, slotDir } from '../../../src/update/slot-layout.js';
import { UpdateAgent, UpdateBusyError, type UpdateSource } from '../../../src/update/update-state-runner.js';
import { silentLogger } from '../../../src/ops/logger.js';
import { tempDir } from '../../helpers/paths.js';

async function release(dir: string, version: string): Promise<string> {
  const r = join(dir, 'rel', version);
  await mkdir(join(r, 'lib'), { recursive: true });
  await writeFile(join(r, 'main.mjs'), `// ${version}\n`);
  await writeFile(join(r, 'lib', 'data.bin'), Buffer.alloc(10_000, version.length));
  return r;
}

async function unit(tag: string) {
  const t = await tempDir(tag);
  await installInto(slotDir(t.dir, 'A'), await directoryPayload(await release(t.dir, '1.0.0'), { version: '1.0.0', entry: 'main.mjs' }));
  const store = new BootRecordStore(t.dir, silentLogger);
  const states: UpdateStateName[] = [];
  let reboots = 0;
  const agent = new UpdateAgent({ store, log: silentLogger, booted: 'A', reboot: () => reboots++, onState: (s) => states.push(s) });
  return { ...t, store, agent, states, reboots: () => reboots };
}

test('an update from a plain directory: every state persisted on entry, the target slot whole, then one reboot asked for', async () => {
  const u = await unit('agent-ok');
  try {
    await u.agent.run(directoryUpdate(await release(u.dir, '2.0.0'), { version: '2.0.0', entry: 'main.mjs' }));
    assert.deepEqual(u.states, ['downloading', 'verifying', 'installing', 'rebooting']);
    assert.equal(u.reboots(), 1);
    const { record } = await u.store.read();
    assert.equal(record.tried, 'B');
    assert.equal(record.attemptsLeft, 3);
    assert.deepEqual(record.slots.B, { version: '2.0.0', status: 'installed' });
    assert.equal((await readSlotManifest(u.dir, 'B'))?.version, '2.0.0');
    assert.deepEqual((await readdir(join(u.dir, 'update'))).length, 0, 'staging removed');
    await assert.rejects(u.agent.run(directoryUpdate(await release(u.dir, '3.0.0'), { version: '3.0.0', entry: 'main.mjs' })), UpdateBusyError);
  } finally {
    await u.cleanup();
  }
});

test('a payload changed between download and verify is refused: failed with the reason, the target left without slot.json, the booted slot untouched', async () => {
  const u = await unit('agent-changed');
  try {
    const rel = await release(u.dir, '2.0.0');
    const inner = directoryUpdate(rel, { version: '2.0.0', entry: 'main.mjs' });
    const tampered: UpdateSource = {
      download: async (staging, p) => {
        await inner.download(staging, p);
        await writeFile(join(staging, 'lib', 'data.bin'), 'swapped');
      },
      verify: (staging, p) => inner.verify(staging, p),
    };
    await assert.rejects(u.agent.run(tampered), /staged file lib\/data\.bin does not match the source/);
    const status = await u.agent.status();
    assert.equal(status.operation, 'failed');
    assert.match(status.lastError ?? '', /does not match/);
    assert.deepEqual(status.slots.B, { version: null, status: 'empty' });
    assert.equal(await readSlotManifest(u.dir, 'B'), null);
    assert.equal((await readSlotManifest(u.dir, 'A'))?.version, '1.0.0');
    assert.equal(u.reboots(), 0);
    // And it can be retried.
    await u.agent.run(inner);
    assert.equal((await u.agent.status()).operation, 'rebooting');
  } finally {
    await u.cleanup();
  }
});

test('an update that would overwrite the last good slot (booted from a slot not yet good) is refused and changes nothing', async () => {
  const u = await unit('agent-lastgood');
  try {
    await u.store.write({ ...initialRecord('B'), lastGood: 'B' });
    const before = (await u.store.read()).record;
    await assert.rejects(u.agent.run(directoryUpdate(await release(u.dir, '2.0.0'), { version: '2.0.0', entry: 'main.mjs' })), /overwrite slot B, the last good one/);
    assert.deepEqual((await u.store.read()).record, before);
  } finally {
    await u.cleanup();
  }
});

test('booted from no slot (recovery mode): the update goes into the slot that is not last good, whichever the record names active', async () => {
  const u = await unit('agent-recovery');
  try {
    await installInto(slotDir(u.dir, 'B'), await directoryPayload(await release(u.dir, '1.5.0'), { version: '1.5.0', entry: 'main.mjs' }));
    const record = initialRecord('A');
    record.lastGood = 'B';
    record.slots = { A: { version: '1.0.0', status: 'bad' }, B: { version: '1.5.0', status: 'good' } };
    await u.store.write(record);
    const agent = new UpdateAgent({ store: u.store, log: silentLogger, booted: null, reboot: () => {} });
    await agent.run(directoryUpdate(await release(u.dir, '2.0.0'), { version: '2.0.0', entry: 'main.mjs' }));
    const after = (await u.store.read()).record;
    assert.equal(after.tried, 'A');
    assert.equal(after.lastGood, 'B');
    assert.deepEqual(after.slots.A, { version: '2.0.0', status: 'installed' });
    assert.equal((await readSlotManifest(u.dir, 'A'))?.version, '2.0.0');
    assert.equal((await readSlotManifest(u.dir, 'B'))?.version, '1.5.0', 'the last good slot is untouched');
  } finally {
    await u.cleanup();
  }
});

test('a source refused before the install (download or verify) leaves the target slot as it was, files and recorded state', async () => {
  for (const step of ['download', 'verify'] as const) {
    const u = await unit(`agent-refused-${step}`);
    try {
      await installInto(slotDir(u.dir, 'B'), await directoryPayload(await release(u.dir, '0.9.0'), { version: '0.9.0', entry: 'main.mjs' }));
      const record = initialRecord('A');
      record.slots = { A: { version: '1.0.0', status: 'good' }, B: { version: '0.9.0', status: 'installed' } };
      await u.store.write(record);
      const inner = directoryUpdate(await release(u.dir, '2.0.0'), { version: '2.0.0', entry: 'main.mjs' });
      const refused: UpdateSource = {
        download: async (staging, p) => {
          await inner.download(staging, p);
          if (step === 'download') throw new Error('bundle refused: bad signature');
        },
        verify: async () => {
          throw new Error('bundle refused: payload mismatch');
        },
      };
      await assert.rejects(u.agent.run(refused), /bundle refused/);
      const after = (await u.store.read()).record;
      assert.equal(after.update.state, 'failed', step);
      assert.deepEqual(after.slots.B, { version: '0.9.0', status: 'installed' }, `${step}: slot B's recorded state`);
      assert.equal((await readSlotManifest(u.dir, 'B'))?.version, '0.9.0', `${step}: slot B's files`);
    } finally {
      await u.cleanup();
    }
  }
});
