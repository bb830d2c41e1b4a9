import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LicenseError } from '@pitwall/protocol';
import { keyLookup, pinnedKeySet, verifyLicenseFile } from '@pitwall/protocol/node';
import { issueLicence, throwAwayVendorKey } from '../../../../testbed/license-fixtures.js';
import { seededRandom } from '../../seeded-random.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x11ce);
const RUNS = 1500;

/**
 * The licence file parser fed mutated files: byte flips, insertions and deletions anywhere,
 * truncations, and JSON-level edits (fields removed, retyped or duplicated). Every outcome is the
 * original licence accepted unchanged or a LicenseError; never another exception, never a
 * licence whose payload differs from what was signed.
 */
test(`licence file parser under ${RUNS} seeded mutations (seed ${SEED})`, async () => {
  const rand = seededRandom(SEED);
  const vendor = throwAwayVendorKey();
  const lookup = keyLookup(pinnedKeySet([vendor.publicKeyPem]));
  const original = await issueLicence(vendor, 'unit-fuzz', Date.parse('2026-12-01T00:00:00Z'));
  const signed = (await verifyLicenseFile(original, lookup)).payload;
  const pickInt = (n: number) => Math.floor(rand() * n);
  const mutators: ((s: string) => string)[] = [
    (s) => {
      const b = Buffer.from(s);
      const at = pickInt(b.length);
      b[at] = b[at]! ^ (1 << pickInt(8));
      return b.toString('latin1');
    },
    (s) => {
      const at = pickInt(s.length);
      return s.slice(0, at) + String.fromCharCode(pickInt(128)) + s.slice(at);
    },
    (s) => {
      const at = pickInt(s.length);
      return s.slice(0, at) + s.slice(at + 1 + pickInt(8));
    },
    (s) => s.slice(0, pickInt(s.length)),
    (s) => {
      let doc: Record<string, unknown>;
      try {
        doc = JSON.parse(s) as Record<string, unknown>;
      } catch {
        return s; // already broken by an earlier mutation
      }
      if (typeof doc !== 'object' || doc === null || typeof doc.dsseEnvelope !== 'object' || doc.dsseEnvelope === null) return s;
      const keys = Object.keys(doc);
      const k = keys[pickInt(keys.length)]!;
      const choice = pickInt(4);
      if (choice === 0) delete doc[k];
      else if (choice === 1) doc[k] = [null, 1, 'x', {}, [], true][pickInt(6)];
      else if (choice === 2) doc[`${k}x`] = doc[k];
      else (doc.dsseEnvelope as Record<string, unknown>).signatures = [];
      return JSON.stringify(doc);
    },
  ];
  let accepted = 0;
  for (let i = 0; i < RUNS; i++) {
    let text = original;
    for (let n = 1 + pickInt(3); n > 0; n--) text = mutators[pickInt(mutators.length)]!(text);
    try {
      const { payload } = await verifyLicenseFile(text, lookup);
      assert.deepEqual(payload, signed, `run ${i}: a mutated file was accepted with another payload`);
      accepted++;
    } catch (err) {
      assert.ok(err instanceof LicenseError, `run ${i}: ${String(err)} (not a LicenseError) for ${JSON.stringify(text.slice(0, 200))}`);
    }
  }
  // Only the untouched text verifies (the exact form pitwall signs): mutations that changed nothing at most.
  assert.ok(accepted < RUNS / 10, `${accepted} of ${RUNS} mutated files accepted`);
});
