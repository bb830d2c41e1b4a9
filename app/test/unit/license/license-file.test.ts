// What the dealer sees of a licence file before installing it, and what is refused outright.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CompanionError, LICENSE_FILE_MAX_B } from '@pitwall/protocol';
import { readLicenseFile } from '../../../src/license/license-file.js';
import { testVendorKey, type TestVendorKey } from '../../../../testbed/vendor-test-key.js';
import { scratchDir } from '../../helpers/units.js';
import { licensePayloadFor, revocationListFor, writeLicenseFile, writeRawLicenseFile, writeRevocationFile } from '../../helpers/license-files.js';

const scratch = scratchDir('licence-file');
let vendor: TestVendorKey;
let foreign: TestVendorKey;
before(async () => {
  vendor = await testVendorKey(join(scratch.dir, 'vendor'));
  foreign = await testVendorKey(join(scratch.dir, 'foreign'));
});
after(() => scratch.cleanup());

test('a signed licence shows its id, scope, features, period and signer, verified against the known keys', async () => {
  const payload = licensePayloadFor(vendor.key, { licenseId: 'dealer-stock-7', scope: { model: 'pw-1', fleet: 'academy' }, features: ['live-timing', 'imu'] });
  const path = await writeLicenseFile(scratch.dir, 'lic.json', vendor.key, payload);
  const { summary, file } = await readLicenseFile(path, vendor.keysDir);
  assert.deepEqual(
    { id: summary.licenseId, scope: summary.scope, features: summary.features, expires: summary.expires, signer: summary.signerKeyId, verified: summary.verified, note: summary.verifyNote },
    { id: 'dealer-stock-7', scope: { model: 'pw-1', fleet: 'academy' }, features: ['live-timing', 'imu'], expires: payload.expires, signer: vendor.key.keyId, verified: true, note: null },
  );
  assert.equal(file.text.length, summary.sizeB);

  const unknown = await readLicenseFile(path, foreign.keysDir);
  assert.equal(unknown.summary.verified, false);
  assert.match(unknown.summary.verifyNote ?? '', /does not trust|unknown/);
  const blind = await readLicenseFile(path, null);
  assert.match(blind.summary.verifyNote ?? '', /no vendor keys known to this companion/);
});

test('a feature edited into a signed licence no longer verifies', async () => {
  const path = await writeLicenseFile(scratch.dir, 'edit.json', vendor.key, licensePayloadFor(vendor.key, { features: ['sectors'] }));
  const doc = JSON.parse(await readFile(path, 'utf8')) as { dsseEnvelope: { payload: string } };
  const body = JSON.parse(Buffer.from(doc.dsseEnvelope.payload, 'base64').toString('utf8')) as { features: string[] };
  body.features.push('support-mode');
  doc.dsseEnvelope.payload = Buffer.from(JSON.stringify(body)).toString('base64');
  await writeFile(path, JSON.stringify(doc));
  const { summary } = await readLicenseFile(path, vendor.keysDir);
  assert.deepEqual(summary.features, ['sectors', 'support-mode'], 'shown as it claims…');
  assert.equal(summary.verified, false, '…but not verified');
  assert.match(summary.verifyNote ?? '', /signature does not match/);
});

test('what is not a licence is refused with a sentence', async () => {
  const write = async (name: string, text: string) => {
    const p = join(scratch.dir, name);
    await writeFile(p, text);
    return p;
  };
  const cases: [Promise<string>, RegExp][] = [
    [write('junk.json', 'not json at all'), /not a licence file: it is not JSON/],
    [write('big.json', `"${'a'.repeat(LICENSE_FILE_MAX_B)}"`), /more than the 16384 a licence file may be/],
    [writeRevocationFile(scratch.dir, 'list.json', vendor.key, revocationListFor(vendor.key, 1)), /signed as "application\/vnd\.pitwall\.license-revocations\+json"/],
    [writeRawLicenseFile(scratch.dir, 'off.json', vendor.key, { ...licensePayloadFor(vendor.key), features: ['teleport'] }), /not a licence this companion understands/],
  ];
  for (const [path, words] of cases) {
    await assert.rejects(readLicenseFile(await path, vendor.keysDir), (err: unknown) => err instanceof CompanionError && err.code === 'invalid-params' && words.test(err.message));
  }
});
