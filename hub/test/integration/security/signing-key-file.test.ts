import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadHubSigningKey } from '../../../src/hub-signing-key.js';
import { startHubProcess } from '../../helpers/hub-process.js';

// The hub's signing key signs every registration record units and companions trust: a key file
// others on the machine can read is a key others can copy. The hub refuses to start on one, as
// ssh refuses an unprotected private key, and names the fix.
describe('the hub signing key file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-hub-key-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a key the hub makes is 0600, and is loaded again', async () => {
    const file = join(dir, 'made.pem');
    const made = await loadHubSigningKey(file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal((await loadHubSigningKey(file)).info.fingerprint, made.info.fingerprint);
  });

  test('hub processes starting together on one missing key file all sign with the one key that was made', async () => {
    const file = join(dir, 'raced.pem');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadHubSigningKey(file)));
    assert.equal(new Set(keys.map((k) => k.info.fingerprint)).size, 1);
    assert.equal((await loadHubSigningKey(file)).info.fingerprint, keys[0]!.info.fingerprint);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('raced.pem.tmp-')), [], 'no temp file is left');
  });

  for (const mode of [0o644, 0o640, 0o604, 0o660, 0o606]) {
    test(`a key file of mode ${mode.toString(8)} is refused, naming the fix, and not left unchanged silently`, async () => {
      const file = join(dir, `open-${mode.toString(8)}.pem`);
      await loadHubSigningKey(file);
      chmodSync(file, mode);
      await assert.rejects(loadHubSigningKey(file), (err: Error) => {
        assert.match(err.message, /readable or writable by others/);
        assert.match(err.message, /chmod 600/);
        assert.ok(!err.message.includes('PRIVATE KEY'), 'the key is not echoed');
        return true;
      });
      assert.equal(statSync(file).mode & 0o777, mode, 'the hub does not repair the mode behind the operator’s back');
    });
  }

  test('pitwall-hub serve with a world-readable key file exits at once, naming the fix; no port is opened', async () => {
    const dataDir = mkdtempSync(join(dir, 'serve-'));
    await loadHubSigningKey(join(dataDir, 'hub-key.pem'));
    chmodSync(join(dataDir, 'hub-key.pem'), 0o644);
    await assert.rejects(startHubProcess({ kind: 'sqlite', file: join(dataDir, 'hub.sqlite') }, dataDir, join(dataDir, 'hub-key.pem')), (err: Error) => {
      assert.match(err.message, /exited 1: pitwall-hub: the hub key file .* is readable or writable by others \(mode 0644\); run chmod 600/);
      return true;
    });
  });

  test('0400 (read-only for the owner) is accepted', async () => {
    const file = join(dir, 'readonly.pem');
    await loadHubSigningKey(file);
    chmodSync(file, 0o400);
    await loadHubSigningKey(file);
  });
});
