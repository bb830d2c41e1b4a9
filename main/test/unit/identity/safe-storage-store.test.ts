import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hubTokenStore, operatorKeyPlace, type SafeStorageLike } from '../../../src/safe-storage-store.js';

/** Secrets: where the desktop app keeps the operator key, decided against a fake Electron safeStorage. */
function fakeSafeStorage(backend: string, available = true): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend as ReturnType<NonNullable<SafeStorageLike['getSelectedStorageBackend']>>,
    // Reversible, like basic_text's fixed key: "encrypted" bytes that anyone can undo.
    encryptString: (plain) => Buffer.from(plain).reverse(),
    decryptString: (enc) => Buffer.from(enc).reverse().toString(),
  };
}

function withDir(fn: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-safe-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  "Linux with the basic_text backend (no keychain): the key goes to a 0600 file, and the user is told where and why",
  withDir(async (dir) => {
    const place = operatorKeyPlace(dir, fakeSafeStorage('basic_text'), 'linux');
    assert.equal(place.store.kind, 'file');
    assert.ok(place.notice, 'never silently');
    assert.ok(place.notice.includes(join(dir, 'operator-key.json')), place.notice);
    assert.match(place.notice, /0600/);
    assert.match(place.notice, /keychain/);
    await place.store.save(Buffer.from('secret key'));
    assert.equal(statSync(join(dir, 'operator-key.json')).mode & 0o777, 0o600);
  }),
);

test(
  'a real keychain (libsecret, KWallet, or another platform): encrypted, nothing to tell',
  withDir(async (dir) => {
    for (const [backend, platform] of [['gnome_libsecret', 'linux'], ['kwallet5', 'linux'], ['unknown', 'darwin']] as const) {
      const place = operatorKeyPlace(dir, fakeSafeStorage(backend), platform);
      assert.deepEqual([place.store.kind, place.notice], ['safe-storage', null], backend);
    }
  }),
);

test(
  'no encryption at all: the 0600 file, with the notice',
  withDir(async (dir) => {
    const place = operatorKeyPlace(dir, fakeSafeStorage('unknown', false), 'win32');
    assert.equal(place.store.kind, 'file');
    assert.match(place.notice ?? '', /cannot encrypt it/);
  }),
);

test(
  'a key written earlier stays where it is (the units know it), and the user is told where it is',
  withDir(async (dir) => {
    writeFileSync(join(dir, 'operator-key.safe'), 'x');
    const old = operatorKeyPlace(dir, fakeSafeStorage('basic_text'), 'linux');
    assert.equal(old.store.kind, 'safe-storage', 'not replaced');
    assert.ok(old.notice?.includes(join(dir, 'operator-key.safe')), old.notice ?? '');
    assert.match(old.notice ?? '', /does not protect it/);
    writeFileSync(join(dir, 'operator-key.json'), '{}', { mode: 0o600 });
    for (const backend of ['basic_text', 'gnome_libsecret']) {
      const plain = operatorKeyPlace(dir, fakeSafeStorage(backend), 'linux');
      assert.equal(plain.store.kind, 'file');
      assert.ok(plain.notice?.includes(join(dir, 'operator-key.json')), `${backend}: ${plain.notice}`);
    }
  }),
);

test(
  'the hub member token: encrypted with a real keychain, a 0600 file without one; an empty save is no token',
  withDir(async (dir) => {
    const withKeychain = hubTokenStore(dir, fakeSafeStorage('gnome_libsecret'), 'linux');
    assert.equal(withKeychain.kind, 'safe-storage');
    await withKeychain.save(Buffer.from('pwh_token'));
    assert.ok(!readFileSync(join(dir, 'hub-token.safe')).includes('pwh_token'), 'not in the clear');
    assert.equal((await withKeychain.load())?.toString(), 'pwh_token');
    await withKeychain.save(Buffer.alloc(0));
    assert.equal((await withKeychain.load())?.length, 0);
    const noKeychain = hubTokenStore(dir, fakeSafeStorage('basic_text'), 'linux');
    assert.equal(noKeychain.kind, 'file');
    await noKeychain.save(Buffer.from('pwh_token'));
    assert.equal(statSync(join(dir, 'hub-token')).mode & 0o777, 0o600);
  }),
);
