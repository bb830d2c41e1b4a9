import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { apiError, bundleModelId, Routes, updateStatus } from '@pitwall/protocol';
import { startSimUnit, type SimUnit } from '../../../../testbed/sim-unit.js';
import { testVendorKey } from '../../../../testbed/vendor-test-key.js';
import { directoryPayload, installInto } from '../../../src/update/slot-installer.js';
import { slotDir } from '../../../src/update/slot-layout.js';
import { makeBundle, runtimeDir, vendorKey } from '../../helpers/bundles.js';
import { pieces, pushBundle } from '../../helpers/bundle-push.js';
import { https, makeOperator, pairOverSerial, readAudit, type OperatorCreds } from '../../helpers/https-client.js';
import { tempDir } from '../../helpers/paths.js';

/** Every file under dir with its sha256: the slot's content, to show a refusal left it alone. */
async function treeHash(dir: string): Promise<string> {
  const h = createHash('sha256');
  for (const e of (await readdir(dir, { recursive: true, withFileTypes: true })).sort((a, b) => join(a.parentPath, a.name).localeCompare(join(b.parentPath, b.name)))) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    h.update(`${p.slice(dir.length)}\0`).update(await readFile(p));
  }
  return h.digest('hex');
}

const errorOf = (body: string) => apiError.parse(JSON.parse(body)).error;

test('pushing a bundle to a sim unit: hostile peers and bad bundles refused with a clear error, the inactive slot unchanged; a signed bundle installs', async () => {
  const { dir, cleanup } = await tempDir('update-push');
  const dataDir = join(dir, 'unit');
  const vendor = await testVendorKey(dir);
  // A slot of 1 MiB, a 4 s deadline, cut after 1 s of silence: the limits under test.
  const configFile = join(dir, 'unit.json');
  await writeFile(configFile, JSON.stringify({ update: { keysDir: vendor.keysDir, slotMb: 1, deadlineS: 4, idleS: 1 } }));
  // Slot B, the one a push writes, holds an earlier build: every refusal must leave it as it is.
  await installInto(slotDir(dataDir, 'B'), await directoryPayload(await runtimeDir(join(dir, 'old'), 'old'), { version: '0.0.9', entry: 'cli.js' }));
  const slotBefore = await treeHash(slotDir(dataDir, 'B'));
  let unit: SimUnit | null = null;
  try {
    unit = await startSimUnit({ dataDir, extraArgs: ['--config', configFile] });
    const port = unit.ready.apiPort;
    const ops: Record<'owner' | 'staff' | 'dealer', OperatorCreds> = { owner: await makeOperator('owner'), staff: await makeOperator('staff'), dealer: await makeOperator('dealer') };
    for (const role of ['owner', 'staff', 'dealer'] as const) await pairOverSerial(unit.ready.serialPath, ops[role], role);
    const info = JSON.parse((await https(`https://127.0.0.1:${port}`, 'GET', Routes.info.path)).body) as { model: string; id: string };
    const good = await makeBundle({ dir, tag: 'new', version: '0.2.0', minReplaceVersion: '0.0.1', models: [bundleModelId(info.model)], key: vendor.key, sizes: [200_000, 1_000, 300_000] });

    const expect = async (what: string, answer: Promise<{ status: number; body: string }>, status: number, code: string) => {
      const a = await answer.catch((err: Error) => {
        throw new Error(`${what}: ${err.message}`);
      });
      assert.equal(a.status, status, `${what}: ${a.body}`);
      const e = errorOf(a.body);
      assert.equal(e.code, code, `${what}: ${a.body}`);
      assert.ok(e.message.length > 20, `${what}: a sentence, not just a code: ${e.message}`);
      assert.equal(await treeHash(slotDir(dataDir, 'B')), slotBefore, `${what}: slot B changed`);
    };

    // Refused on the request line and certificate, before the body is read: the unit may close
    // the connection after its answer, so these send only the bundle's first bytes.
    const head = [good.subarray(0, 4096)];
    await expect('unpaired caller', pushBundle(port, await makeOperator('stranger'), head), 401, 'unauthenticated');
    await expect('no certificate', pushBundle(port, undefined, head), 401, 'unauthenticated');
    await expect('staff (no update permission)', pushBundle(port, ops.staff, head), 403, 'forbidden');
    await expect('garbage body', pushBundle(port, ops.owner, [Buffer.from('this is not a bundle, just some words sent to a unit '.repeat(50))]), 400, 'bad-header');
    await expect('truncated upload', pushBundle(port, ops.owner, pieces(good.subarray(0, good.length - 100_000))), 400, 'truncated');
    await expect('slow sender (silent past the idle limit)', pushBundle(port, ops.dealer, pieces(good, 100_000), 1500), 408, 'deadline');
    await expect('slow sender (past the overall deadline)', pushBundle(port, ops.dealer, pieces(good, 20_000), 300), 408, 'deadline');
    const big = await makeBundle({ dir, tag: 'big', version: '0.3.0', minReplaceVersion: '0.0.1', models: [bundleModelId(info.model)], key: vendor.key, sizes: [900_000, 300_000] });
    await expect('bigger than the slot', pushBundle(port, ops.owner, pieces(big)), 413, 'too-large');
    const foreign = await makeBundle({ dir, tag: 'foreign', version: '0.2.0', minReplaceVersion: '0.0.1', models: [bundleModelId(info.model)], key: vendorKey() });
    await expect('signed by a key the unit does not pin', pushBundle(port, ops.owner, pieces(foreign)), 400, 'unknown-key');
    await expect('wrong content type', https(`https://127.0.0.1:${port}`, 'POST', Routes.pushUpdate.path, { client: ops.owner, body: { bundle: 'x' } }), 415, 'unsupported-media-type');

    const status = updateStatus.parse(JSON.parse((await https(`https://127.0.0.1:${port}`, 'GET', Routes.update.path, { client: ops.owner })).body));
    assert.equal(status.operation, 'failed');
    assert.match(status.lastError ?? '', /unknown|key/);

    // A signed bundle from the dealer: installed into slot B, the unit reports it.
    const ok = await pushBundle(port, ops.dealer, pieces(good));
    assert.equal(ok.status, 200, ok.body);
    const installed = updateStatus.parse(JSON.parse(ok.body));
    assert.equal(installed.operation, 'rebooting');
    assert.deepEqual(installed.slots.B, { version: '0.2.0', status: 'installed' });
    assert.notEqual(await treeHash(slotDir(dataDir, 'B')), slotBefore);
    // Until the unit has rebooted into it, another push is refused.
    await expect('a second push before the reboot', pushBundle(port, ops.owner, pieces(good)), 409, 'update-busy').catch((err: Error) => {
      // the slot did change (the install above): only the answer matters here
      if (!/slot B changed/.test(err.message)) throw err;
    });

    const audit = (await readAudit(dataDir)).filter((r) => r.event === 'update');
    assert.ok(audit.some((r) => r.outcome === 'ok' && r.operatorFingerprint === ops.dealer.fingerprint && r.detail.includes('0.2.0') && r.detail.includes(vendor.key.keyId)), JSON.stringify(audit));
    for (const code of ['bad-header', 'truncated', 'deadline', 'too-large', 'unknown-key', 'update-busy']) {
      assert.ok(audit.some((r) => r.outcome === 'refused' && r.detail.includes(code === 'update-busy' ? 'push refused' : `(${code})`)), `no audit record of ${code}: ${JSON.stringify(audit)}`);
    }
    assert.ok((await readAudit(dataDir)).some((r) => r.event === 'refuse' && r.role === 'staff'), 'the staff refusal is audited');
  } finally {
    await unit?.stop();
    await cleanup();
  }
});
