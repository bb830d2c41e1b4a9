import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeSshKey } from '../../../src/ops/support/support-key.js';
import { tempDir } from '../../helpers/paths.js';

// The unit's support key is made in-process in OpenSSH's own format: OpenSSH's ssh-keygen reads
// every one back to the same public key (comments of every length: the format pads to 8 bytes).
test('support keys made in-process are OpenSSH keys: ssh-keygen derives the same public key; 0600; a fresh pair each time', async () => {
  const { dir, cleanup } = await tempDir('support-key');
  try {
    const seen = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const file = join(dir, `id_${i}`);
      const pub = await makeSshKey(file, `pitwall-support-${'u'.repeat(i)}`);
      assert.match(pub, /^ssh-ed25519 [A-Za-z0-9+/]+=* pitwall-support-u*$/);
      assert.equal(readFileSync(`${file}.pub`, 'utf8').trim(), pub);
      const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim().split(' ').slice(0, 2).join(' ');
      assert.equal(derived, pub.split(' ').slice(0, 2).join(' '));
      assert.equal(statSync(file).mode & 0o777, 0o600);
      seen.add(pub);
    }
    // Made again over an existing pair: replaced, not reused.
    const again = await makeSshKey(join(dir, 'id_0'), 'pitwall-support-');
    assert.ok(!seen.has(again));
    assert.equal(seen.size, 16);
  } finally {
    await cleanup();
  }
});
