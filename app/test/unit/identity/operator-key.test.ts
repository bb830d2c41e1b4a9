import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { createCompanion } from '../../../src/companion.js';
import { loadOrCreateOperatorIdentity } from '../../../src/identity/operator-key.js';
import { FileSecretStore, OPERATOR_KEY_FILE } from '../../../src/identity/secret-store.js';
import { scratchDir } from '../../helpers/units.js';

const open = (dataDir: string) =>
  createCompanion({ dataDir, mdns: false, serial: false, hotplug: false, events: () => undefined });

test('operator key: made on first use, file 0600, same fingerprint across restarts, never in the database', async () => {
  const scratch = scratchDir('opkey');
  try {
    const dir = join(scratch.dir, 'companion');
    const a = open(dir);
    const first = await a.handlers['operator:identity']({});
    await a.close();
    assert.match(first.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal(first.storage, 'file');
    assert.match(first.name, /.+@.+/);
    const file = join(dir, OPERATOR_KEY_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const b = open(dir);
    assert.equal((await b.handlers['operator:identity']({})).fingerprint, first.fingerprint, 'stable across restarts');
    await b.close();
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { privateKey: string };
    const db = new Database(join(dir, 'companion.sqlite'), { readonly: true });
    const dump = JSON.stringify(db.prepare("SELECT * FROM sqlite_master").all()) + JSON.stringify(db.prepare('SELECT * FROM pins').all());
    db.close();
    assert.ok(!dump.includes(stored.privateKey.slice(0, 24)), 'private key not in the database');
    assert.ok(!JSON.stringify(first).includes(stored.privateKey.slice(0, 24)), 'private key not in operator:identity');
  } finally {
    scratch.cleanup();
  }
});

test('a corrupt operator key file is reported, never silently replaced', async () => {
  const scratch = scratchDir('opkey-corrupt');
  try {
    const store = FileSecretStore.inDir(scratch.dir);
    await loadOrCreateOperatorIdentity(store);
    writeFileSync(store.path, '{"version":1,"privateKey":"AAAA","certificate":"x"}');
    await assert.rejects(loadOrCreateOperatorIdentity(store), /corrupt/);
    assert.match(readFileSync(store.path, 'utf8'), /AAAA/, 'file left as it was');
    const c = open(scratch.dir);
    await assert.rejects(c.handlers['operator:identity']({}), (err: Error & { code?: string }) => err.code === 'internal' && !/AAAA/.test(err.message));
    await c.close();
  } finally {
    scratch.cleanup();
  }
});
