import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClaimCode, claimCodeIssued, registrationRecordMessage, registrationRequestMessage, type RegistrationFields } from '@pitwall/protocol';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { newClaimCode } from '../../../src/registration/claim-codes.js';

const fields: RegistrationFields = {
  unitId: '6f1c2a9e-0b7d-5c3e-8a41-2d9f7e6b5a10',
  publicKey: 'MCowBQYDK2VwAyEA' + 'A'.repeat(43) + '=',
  model: 'PW-1',
  challengeId: 'b'.repeat(32),
  nonce: 'C'.repeat(43) + '=',
};

test('a registration request message changes with every field, and a field cannot run into the next', () => {
  const base = Buffer.from(registrationRequestMessage(fields)).toString();
  assert.match(base, /^pitwall-hub-registration-request-v1\n\[/);
  const variants: RegistrationFields[] = [
    { ...fields, model: 'PW-2' },
    { ...fields, challengeId: 'c'.repeat(32) },
    { ...fields, claimCode: 'ABCD-EFGH-JKLM-NPQR' },
    // the same characters moved from one field to the next
    { ...fields, model: 'PW-1","' + 'b'.repeat(4), challengeId: 'b'.repeat(28) },
  ];
  for (const v of variants) assert.notEqual(Buffer.from(registrationRequestMessage(v)).toString(), base);
});

test("the record's message has its own domain: a unit's signed request is never a hub record", () => {
  const record = Buffer.from(
    registrationRecordMessage({ unitId: fields.unitId, publicKey: fields.publicKey, fingerprint: 'SHA256:' + 'x'.repeat(43), model: 'PW-1', registeredAt: '2026-01-01T00:00:00.000Z', owner: null }),
  ).toString();
  assert.match(record, /^pitwall-hub-registration-record-v1\n/);
});

test('claim codes: 16 symbols without 0, O, 1 or I, in groups of four, each different', () => {
  const check = TypeCompiler.Compile(ClaimCode);
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const code = newClaimCode();
    assert.ok(check.Check(code), code);
    assert.doesNotMatch(code, /[01OI]/);
    seen.add(code);
  }
  assert.equal(seen.size, 2000);
  assert.ok(claimCodeIssued.is({ code: newClaimCode(), academyId: 'a'.repeat(32), expiresAt: '2026-01-01T00:00:00.000Z' }));
});
