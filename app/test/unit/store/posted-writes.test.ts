// Writes posted to the store's writer thread (StoreWriter.post): the caller does not wait, later
// waited-for writes run after them, and a failing one is a warning that undoes only itself.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDatabase } from '../../../src/store/database.js';
import { DeviceRepo } from '../../../src/store/device-repo.js';
import { storeWriter } from '../../../src/store/store-writer.js';
import { scratchDir } from '../../helpers/units.js';

const scratch = scratchDir('posted-writes');
after(() => scratch.cleanup());

const unit = (i: number, lastSeen: number) => ({ id: `unit-${i}`, name: `Car ${i}`, model: 'PW-1', firmware: '0.1.0', commit: null, lastSeen });

test('sightings are posted in a batch; a write that waits runs after them', () => {
  const db = openDatabase(join(scratch.dir, 'order'));
  try {
    const repo = new DeviceRepo(db);
    for (let i = 0; i < 50; i++) repo.recordSighting(unit(i, 1000 + i), { kind: 'address', target: `10.0.0.${i}:443`, lastSeen: 1000 + i });
    assert.equal(repo.listUnits().length, 0, 'not written yet: the caller did not wait for the writer');
    repo.forgetUnit('unit-7');
    assert.deepEqual(
      repo.listUnits().map((u) => u.id),
      Array.from({ length: 50 }, (_, i) => `unit-${i}`).filter((id) => id !== 'unit-7'),
    );
    assert.equal(repo.listLinks().length, 49);
  } finally {
    db.close();
  }
});

test('posted writes still pending when the store closes are written', () => {
  const dir = join(scratch.dir, 'close');
  let db = openDatabase(dir);
  new DeviceRepo(db).recordSighting(unit(1, 5), null);
  db.close();
  db = openDatabase(dir);
  try {
    assert.deepEqual(new DeviceRepo(db).listUnits().map((u) => [u.id, u.lastSeen]), [['unit-1', 5]]);
  } finally {
    db.close();
  }
});

test('a posted write that fails is a process warning and undoes only itself', async () => {
  const db = openDatabase(join(scratch.dir, 'fail'));
  try {
    const repo = new DeviceRepo(db);
    const warned = once(process, 'warning');
    repo.recordSighting(unit(1, 1), null);
    // A link of an unknown kind breaks the table's CHECK: this sighting fails, the others stand.
    repo.recordSighting(unit(2, 2), { kind: 'carrier-pigeon' as never, target: 'x', lastSeen: 2 });
    repo.recordSighting(unit(3, 3), null);
    // Waits: everything posted before it is done, and a posted write's failure read on the way.
    // (Awaiting the warning first could end the test early: the writer's port does not keep the
    // event loop alive on its own.)
    storeWriter(db).run('units.deleteManualAddress', 'none');
    const [warning] = (await warned) as [Error];
    assert.equal(warning.name, 'PitwallStoreWarning');
    assert.match(warning.message, /units\.recordSighting failed/);
    assert.deepEqual(repo.listUnits().map((u) => u.id), ['unit-1', 'unit-3']);
  } finally {
    db.close();
  }
});
