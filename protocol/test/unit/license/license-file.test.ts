import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LICENSE_FILE_MAX_B, LICENSE_PAYLOAD_TYPE, LicenseError, REVOCATION_LIST_PAYLOAD_TYPE, type LicenseErrorCode } from '@pitwall/protocol';
import { keyLookup, keySetFromList, pinnedKeySet, signDsse, signLicense, verifyLicenseFile, verifyRevocationListFile } from '@pitwall/protocol/node';
import { issueLicence, licencePayload, revocationListOf, signedRevocationList, throwAwayVendorKey } from '../../../../testbed/license-fixtures.js';

const UNIT = '0f0e0d0c-0b0a-4908-8706-050403020100';
const vendor = throwAwayVendorKey();
const trusted = keyLookup(pinnedKeySet([vendor.publicKeyPem]));

async function refusedWith(p: Promise<unknown>, code: LicenseErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof LicenseError, `a LicenseError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

/** The file with its signed payload replaced (the signature left as it was). */
function withPayload(file: string, edit: (payload: Record<string, unknown>) => void): string {
  const bundle = JSON.parse(file) as { dsseEnvelope: { payload: string } };
  const payload = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as Record<string, unknown>;
  edit(payload);
  bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
  return JSON.stringify(bundle);
}

test('a licence signed with a trusted vendor key verifies, and only its signed payload comes back', async () => {
  const file = await issueLicence(vendor, UNIT);
  const { payload, keyId } = await verifyLicenseFile(file, trusted);
  assert.equal(keyId, vendor.keyId);
  assert.deepEqual(payload.scope, { unitId: UNIT });
  assert.ok(Buffer.byteLength(file) < LICENSE_FILE_MAX_B);
});

test('a forged signature (another key claiming the vendor key id) is refused', async () => {
  const forger = throwAwayVendorKey();
  const forged = JSON.parse(await signLicense(licencePayload(forger, UNIT), forger)) as { verificationMaterial: { publicKey: { hint: string } }; dsseEnvelope: { signatures: { keyid: string }[] } };
  forged.verificationMaterial.publicKey.hint = vendor.keyId;
  forged.dsseEnvelope.signatures[0]!.keyid = vendor.keyId;
  const text = withPayload(JSON.stringify(forged), (p) => (p.keyId = vendor.keyId));
  await refusedWith(verifyLicenseFile(text, trusted), 'bad-signature', /does not match/);
});

test('a tampered feature list (or unit, or expiry) under the original signature is refused', async () => {
  const file = await issueLicence(vendor, UNIT, Date.now(), { features: ['live-timing'] });
  await refusedWith(verifyLicenseFile(withPayload(file, (p) => (p.features = ['live-timing', 'sectors'])), trusted), 'bad-signature');
  await refusedWith(verifyLicenseFile(withPayload(file, (p) => (p.scope = { unitId: 'another-unit' })), trusted), 'bad-signature');
  await refusedWith(verifyLicenseFile(withPayload(file, (p) => (p.expires = '2099-01-01T00:00:00Z')), trusted), 'bad-signature');
});

test('a licence from an unknown vendor key, or a revoked one, is refused by name', async () => {
  const stranger = throwAwayVendorKey();
  await refusedWith(verifyLicenseFile(await issueLicence(stranger, UNIT), trusted), 'unknown-key', /does not trust/);
  // A key list that trusts a new key and revokes the vendor key: the vendor's licences stop counting.
  const next = throwAwayVendorKey();
  const rotated = keySetFromList({ format: 1, sequence: 1, keys: [{ keyId: next.keyId, publicKey: next.publicKeyPem }], revokedKeyIds: [vendor.keyId] });
  await refusedWith(verifyLicenseFile(await issueLicence(vendor, UNIT), keyLookup(rotated)), 'revoked-key');
  await verifyLicenseFile(await issueLicence(next, UNIT), keyLookup(rotated));
});

test('a payload naming another key than its signer, or signed as another type, is refused', async () => {
  const other = throwAwayVendorKey();
  const misnamed = await signDsse(Buffer.from(JSON.stringify(licencePayload(other, UNIT))), LICENSE_PAYLOAD_TYPE, vendor);
  await refusedWith(verifyLicenseFile(misnamed, trusted), 'key-mismatch');
  // A revocation list is not a licence, and a licence is not a revocation list.
  await refusedWith(verifyLicenseFile(await signedRevocationList(vendor, 1, []), trusted), 'bad-signature', /signed as/);
  await refusedWith(verifyRevocationListFile(await issueLicence(vendor, UNIT), trusted), 'bad-signature', /signed as/);
  // Signed, right type, not a licence.
  const junk = await signDsse(Buffer.from('{"format":1}'), LICENSE_PAYLOAD_TYPE, vendor);
  await refusedWith(verifyLicenseFile(junk, trusted), 'bad-license');
  const badList = await signDsse(Buffer.from(JSON.stringify({ ...revocationListOf(vendor, 1, []), number: 0 })), REVOCATION_LIST_PAYLOAD_TYPE, vendor);
  await refusedWith(verifyRevocationListFile(badList, trusted), 'bad-revocation-list');
});

test('an oversized file, plain JSON and spacing around a good signature are refused', async () => {
  const file = await issueLicence(vendor, UNIT);
  await refusedWith(verifyLicenseFile(file + ' '.repeat(LICENSE_FILE_MAX_B), trusted), 'too-large');
  await refusedWith(verifyLicenseFile('{"licenseId":"LIC-1"}', trusted), 'unsigned');
  await refusedWith(verifyLicenseFile('not json', trusted), 'unsigned');
  await refusedWith(verifyLicenseFile(JSON.stringify(JSON.parse(file), null, 2), trusted), 'bad-signature', /not in the form pitwall signs/);
});

test('a revocation list verifies against the vendor keys; one from another vendor key is refused', async () => {
  const { list } = await verifyRevocationListFile(await signedRevocationList(vendor, 3, ['LIC-A', 'LIC-B']), trusted);
  assert.equal(list.number, 3);
  assert.deepEqual(list.revoked.map((r) => r.licenseId), ['LIC-A', 'LIC-B']);
  await refusedWith(verifyRevocationListFile(await signedRevocationList(throwAwayVendorKey(), 4, ['LIC-A']), trusted), 'unknown-key');
});
