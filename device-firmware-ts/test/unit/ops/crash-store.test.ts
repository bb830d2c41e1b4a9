import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { Redactor, openCrashStore } from '../../../src/index.js';
import { buildDump } from '../../../src/ops/crash-dump-builder.js';
import { tempDir } from '../../helpers/paths.js';

const UNIT = '0b6f0c2e-5f1a-5b1e-9a51-1c2d3e4f5a6b';
const BOOT = '11111111-2222-3333-4444-555555555555';

test('the crash store is bounded in count and size: oldest confirmed first, then oldest; writes leave no temp files', async () => {
  const { dir, cleanup } = await tempDir('crash-store');
  try {
    const store = openCrashStore(dir, { maxCount: 3, maxBytes: 1_000_000 });
    const ctx = { unit: UNIT, boot: BOOT, fw: '1', commit: 'c', redactor: new Redactor() };
    const ids: string[] = [];
    const write = (pad = 0) => {
      const id = store.newId('uncaught-exception');
      ids.push(id);
      store.writeSync(buildDump(ctx, { id, kind: 'uncaught-exception', error: { name: 'E', message: 'token=abc12345 boom', stack: null }, lastLogs: [], state: { password: 'x1y2z3', pad: 'p'.repeat(pad) }, report: null }));
      return id;
    };
    for (let i = 0; i < 3; i++) write();
    store.confirm([ids[1]!]);
    write();
    assert.deepEqual(store.list().map((c) => c.id), [ids[0], ids[2], ids[3]], 'the confirmed dump went first although older ones exist');
    write();
    assert.deepEqual(store.list().map((c) => c.id), [ids[2], ids[3], ids[4]], 'then the oldest');
    write(900_000);
    assert.ok(store.list().reduce((s, c) => s + c.sizeB, 0) <= 1_000_000, 'total size bounded');
    assert.equal(store.list().at(-1)!.id, ids.at(-1), 'the newest dump is kept');
    const text = store.read(ids.at(-1)!)!;
    assert.ok(!text.includes('abc12345') && !text.includes('x1y2z3'), 'dumps are redacted');
    assert.equal(store.read('../../etc/passwd'), null);
    assert.ok(!(await readdir(store.dir)).some((n) => n.includes('.tmp-')));
  } finally {
    await cleanup();
  }
});
