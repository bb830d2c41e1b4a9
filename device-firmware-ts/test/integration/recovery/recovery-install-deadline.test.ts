import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { apiError, Routes, updateStatus } from '@pitwall/protocol';
import { testVendorKey } from '../../../../testbed/vendor-test-key.js';
import { REQUEST_TIMEOUT_MS } from '../../../src/api/unit-server-options.js';
import { makeBundle } from '../../helpers/bundles.js';
import { pieces, pushBundle } from '../../helpers/bundle-push.js';
import { drip } from '../../helpers/drip-request.js';
import { makeOperator } from '../../helpers/https-client.js';
import { tempDir } from '../../helpers/paths.js';
import { recoveryUnit } from '../../helpers/recovery-unit.js';

test('recovery mode: a bundle install may take longer than the request deadline (its own limits, from the unit config, govern); any other slow request is cut with 408', async () => {
  const { dir, cleanup } = await tempDir('recovery-deadline');
  const vendor = await testVendorKey(dir);
  const configFile = join(dir, 'unit.json');
  await writeFile(configFile, JSON.stringify({ update: { keysDir: vendor.keysDir, slotMb: 2, deadlineS: 120, idleS: 5 } }));
  const owner = await makeOperator('owner');
  const { machine } = await recoveryUnit(dir, [[owner, 'owner']], ['--config', configFile]);
  try {
    machine.start();
    const port = (await machine.waitFor((e) => e.recovery === 'ready', 30_000)).apiPort as number;
    const bundle = await makeBundle({ dir, tag: 'slow', version: '2.0.0', minReplaceVersion: '0.0.1', models: ['PW-1-sim'], key: vendor.key, sizes: [300_000] });
    // Sent over about 1.2x the request deadline, a piece a second: a slow link, not a silent one.
    const count = Math.ceil((REQUEST_TIMEOUT_MS * 1.2) / 1000);
    const size = Math.ceil(bundle.length / count);

    const [push, slow] = await Promise.all([
      pushBundle(port, owner, pieces(bundle, size), 1000, REQUEST_TIMEOUT_MS * 2, Routes.recoveryInstall.path),
      drip(port, owner, 'POST', Routes.recoveryRollback.path),
    ]);

    assert.equal(push.status, 200, `the slow install: ${push.body}`);
    assert.deepEqual(updateStatus.parse(JSON.parse(push.body)).slots.B, { version: '2.0.0', status: 'installed' });
    assert.match(slow.answer, /^HTTP\/1\.1 408 /, `the dripping request: ${slow.answer}`);
    const body = slow.answer.slice(slow.answer.indexOf('\r\n\r\n') + 4);
    assert.equal(apiError.parse(JSON.parse(body)).error.code, 'request-timeout');
    assert.ok(slow.afterMs >= REQUEST_TIMEOUT_MS - 1000, `cut after ${slow.afterMs} ms, not before the deadline`);
  } finally {
    await machine.stop();
    await cleanup();
  }
});
