import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { licenseStatus, Routes } from '@pitwall/protocol';
import { startSimUnit } from '../../../../testbed/sim-unit.js';
import { testVendorKey } from '../../../../testbed/vendor-test-key.js';
import { issueLicence } from '../../../../testbed/license-fixtures.js';
import { tempDir } from '../../helpers/paths.js';
import { https, makeOperator, pairOverSerial } from '../../helpers/https-client.js';

// A licence is bound to the board: the unit id its hardware serial gives. A copy of a licensed
// unit's data partition in another board still serves as the first unit (identity id-mismatch),
// but its licence does not count there.
test('a licensed data partition moved to another board: the licence is invalid there, bound to the first unit', async () => {
  const { dir, cleanup } = await tempDir('license-binding');
  const unitDir = join(dir, 'unit');
  try {
    const vendor = await testVendorKey(dir);
    const owner = await makeOperator('owner');
    const args = { dataDir: unitDir, vendorKeysDir: vendor.keysDir, extraArgs: ['--license-enforced'] };
    let unit = await startSimUnit(args);
    const firstId = unit.ready.id;
    try {
      await pairOverSerial(unit.ready.serialPath, owner, 'owner');
      const res = await https(`https://127.0.0.1:${unit.ready.apiPort}`, 'PUT', Routes.licenseInstall.path, { client: owner, body: JSON.parse(await issueLicence(vendor.key, firstId)) as object });
      assert.equal(licenseStatus.parse(JSON.parse(res.body)).state, 'active', res.body);
    } finally {
      await unit.stop();
    }
    await writeFile(join(unitDir, 'sim-board', 'serial'), '00c0ffee00c0ffee\n');
    unit = await startSimUnit(args);
    try {
      assert.equal(unit.ready.id, firstId, 'the copied partition still serves as the first unit');
      const res = await https(`https://127.0.0.1:${unit.ready.apiPort}`, 'GET', Routes.license.path, { client: owner });
      const s = licenseStatus.parse(JSON.parse(res.body));
      assert.equal(s.state, 'invalid');
      assert.match(s.reason, new RegExp(`bound to unit ${firstId}, not to this unit`));
      assert.deepEqual(s.features, []);
      assert.equal((await https(`https://127.0.0.1:${unit.ready.apiPort}`, 'GET', Routes.live.path, { client: owner })).status, 403);
    } finally {
      await unit.stop();
    }
  } finally {
    await cleanup();
  }
});
