// The unit's TLS certificate is kept beside its key and reused at later boots (sparing them the
// X.509 library's memory); a kept certificate that no longer fits the key or the unit's id, or
// is not a certificate at all, is made again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reusedCertificatePem, selfSignedCertificatePem } from '../../../src/identity/unit-key.js';
import { tempDir } from '../../helpers/paths.js';

const newKey = () => generateKeyPairSync('ed25519').privateKey;

test('made once, kept 0600, then reused as it is', async () => {
  const { dir, cleanup } = await tempDir('tls-cert');
  try {
    const key = newKey();
    const file = join(dir, 'tls-cert.pem');
    const first = await reusedCertificatePem(key, 'unit-1', file);
    const cert = new X509Certificate(first);
    assert.ok(cert.checkPrivateKey(key));
    assert.equal(cert.subject, 'CN=unit-1');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const written = await stat(file);
    assert.equal(await reusedCertificatePem(key, 'unit-1', file), first);
    const again = await stat(file);
    assert.equal(again.ino, written.ino, 'the kept file is not rewritten');
    assert.equal(again.mtimeMs, written.mtimeMs);
  } finally {
    await cleanup();
  }
});

test('another key, another id or garbage in the file: a new certificate replaces it', async () => {
  const { dir, cleanup } = await tempDir('tls-cert');
  try {
    const key = newKey();
    const file = join(dir, 'tls-cert.pem');
    const cases: [string, string][] = [
      ['a certificate of another key', await selfSignedCertificatePem(newKey(), 'unit-1')],
      ['a certificate of another unit id', await selfSignedCertificatePem(key, 'unit-2')],
      ['not a certificate', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
      ['empty', ''],
    ];
    for (const [what, kept] of cases) {
      await writeFile(file, kept);
      const pem = await reusedCertificatePem(key, 'unit-1', file);
      const cert = new X509Certificate(pem);
      assert.ok(cert.checkPrivateKey(key) && cert.subject === 'CN=unit-1', what);
      assert.equal(await readFile(file, 'utf8'), pem, `${what}: replaced on disk`);
    }
  } finally {
    await cleanup();
  }
});
