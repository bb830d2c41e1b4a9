import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { apiError, bundleModelId, Routes, updateStatus } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { testVendorKey } from '../../../../testbed/vendor-test-key.js';
import { REQUEST_TIMEOUT_MS } from '../../../src/api/unit-server-options.js';
import { makeBundle } from '../../helpers/bundles.js';
import { pieces, pushBundle } from '../../helpers/bundle-push.js';
import { drip } from '../../helpers/drip-request.js';
import { https, makeOperator, pairOverSerial } from '../../helpers/https-client.js';
import { tempDir } from '../../helpers/paths.js';

test('a streamed bundle push may take longer than the request deadline (its own limits govern); any other slow request is cut with 408', async () => {
  const { dir, cleanup } = await tempDir('request-deadline');
  const vendor = await testVendorKey(dir);
  const configFile = join(dir, 'unit.json');
  await writeFile(configFile, JSON.stringify({ update: { keysDir: vendor.keysDir, slotMb: 2, deadlineS: 120, idleS: 5 } }));
  let unit: SimUnit | null = null;
  try {
    unit = await startSimUnit({ dataDir: join(dir, 'unit'), extraArgs: ['--config', configFile] });
    const port = unit.ready.apiPort;
    const owner = await makeOperator('owner');
    await pairOverSerial(unit.ready.serialPath, owner, 'owner');
    const info = JSON.parse((await https(`https://127.0.0.1:${port}`, 'GET', Routes.info.path)).body) as { model: string };
    const bundle = await makeBundle({ dir, tag: 'slow', version: '0.2.0', minReplaceVersion: '0.0.1', models: [bundleModelId(info.model)], key: vendor.key, sizes: [300_000] });
    // Sent over about 1.2x the request deadline, a piece a second: a slow link, not a silent one.
    const count = Math.ceil((REQUEST_TIMEOUT_MS * 1.2) / 1000);
    const size = Math.ceil(bundle.length / count);

    const [push, slow] = await Promise.all([pushBundle(port, owner, pieces(bundle, size), 1000), drip(port, owner, 'PUT', Routes.pushOwnTracks.path)]);

    assert.equal(push.status, 200, `the slow push: ${push.body}`);
    assert.equal(updateStatus.parse(JSON.parse(push.body)).slots.B.version, '0.2.0');
    assert.match(slow.answer, /^HTTP\/1\.1 408 /, `the dripping request: ${slow.answer}`);
    const body = slow.answer.slice(slow.answer.indexOf('\r\n\r\n') + 4);
    assert.equal(apiError.parse(JSON.parse(body)).error.code, 'request-timeout');
    assert.ok(slow.afterMs >= REQUEST_TIMEOUT_MS - 1000, `cut after ${slow.afterMs} ms, not before the deadline`);
  } finally {
    await unit?.stop();
    await cleanup();
  }
});
