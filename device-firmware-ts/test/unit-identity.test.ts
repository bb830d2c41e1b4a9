import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadUnitIdentity, resolveCommit, silentLogger, FIRMWARE_VERSION } from '../src/index.js';
import { repoRoot, tempDir } from './helpers/paths.js';

test('unit id is made once, kept crash-safely, and reused', async () => {
  const { dir, cleanup } = await tempDir('id');
  try {
    const a = await loadUnitIdentity(dir, { model: 'PW-1 (sim)', log: silentLogger });
    assert.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(a.name, `Pitwall-${a.id.slice(0, 4).toUpperCase()}`);
    assert.equal((await readFile(join(dir, 'identity', 'unit-id'), 'utf8')).trim(), a.id);
    assert.deepEqual(await readdir(join(dir, 'identity')), ['unit-id'], 'no temp file left behind');
    const b = await loadUnitIdentity(dir, { model: 'PW-1 (sim)', name: 'Car 7', log: silentLogger });
    assert.equal(b.id, a.id);
    assert.equal(b.name, 'Car 7');
  } finally {
    await cleanup();
  }
});

test('an invalid id file is set aside and replaced, not trusted', async () => {
  const { dir, cleanup } = await tempDir('id');
  try {
    await mkdir(join(dir, 'identity'));
    await writeFile(join(dir, 'identity', 'unit-id'), 'NOT-A-UUID\n');
    const a = await loadUnitIdentity(dir, { model: 'm', log: silentLogger });
    assert.notEqual(a.id, 'NOT-A-UUID');
    const files = await readdir(join(dir, 'identity'));
    assert.ok(files.some((f) => f.startsWith('unit-id.invalid-')));
  } finally {
    await cleanup();
  }
});

test('firmware version comes from package.json; commit from env, else the repo .git', async () => {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'device-firmware-ts', 'package.json'), 'utf8')) as { version: string };
  assert.equal(FIRMWARE_VERSION, pkg.version);
  assert.equal(resolveCommit({ PITWALL_COMMIT: 'deadbee' }), 'deadbee');
  assert.match(resolveCommit({}, repoRoot), /^[0-9a-f]{7}$/);
  const { dir, cleanup } = await tempDir('nogit');
  try {
    assert.equal(resolveCommit({}, dir), 'unknown');
  } finally {
    await cleanup();
  }
});
