// The revocation list a companion carries: only newer verified lists replace it; anything else
// (older, the same number with other content, a foreign signer, hostile files) is refused with
// a sentence and changes neither the list held nor its file.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REVOCATION_LIST_FILE_MAX_B, CompanionError } from '@pitwall/protocol';
import { RevocationHolder } from '../../../src/license/revocation-holder.js';
import { seededRandom } from '../../../../protocol/test/seeded-random.js';
import { testVendorKey, type TestVendorKey } from '../../../../testbed/vendor-test-key.js';
import { scratchDir } from '../../helpers/units.js';
import { licensePayloadFor, revocationListFor, writeLicenseFile, writeRawRevocationFile, writeRevocationFile } from '../../helpers/license-files.js';

const scratch = scratchDir('revocations');
const files = join(scratch.dir, 'files');
const held = join(scratch.dir, 'license');
let vendor: TestVendorKey;
let foreign: TestVendorKey;

before(async () => {
  await mkdir(files, { recursive: true });
  vendor = await testVendorKey(join(scratch.dir, 'vendor'));
  foreign = await testVendorKey(join(scratch.dir, 'foreign'));
});
after(() => scratch.cleanup());

const refused = async (p: Promise<unknown>, code: string, words: RegExp) => {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof CompanionError, `a CompanionError, not ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, words);
    return true;
  });
};

test('a newer list replaces the held one; an older one, or another list under the same number, never does', async () => {
  const h = RevocationHolder.open(held, vendor.keysDir);
  assert.equal(h.current(), null);
  const two = await writeRevocationFile(files, 'two.json', vendor.key, revocationListFor(vendor.key, 2, ['lic-a', 'lic-b']));
  const view = await h.importFile(two);
  assert.deepEqual([view.number, view.revokedCount, view.signerKeyId], [2, 2, vendor.key.keyId]);
  const stored = await readFile(join(held, 'revocations.json'), 'utf8');

  const one = await writeRevocationFile(files, 'one.json', vendor.key, revocationListFor(vendor.key, 1, ['lic-a']));
  await refused(h.importFile(one), 'conflict', /list 1 is older than list 2.*kept 2/);
  const otherTwo = await writeRevocationFile(files, 'other-two.json', vendor.key, revocationListFor(vendor.key, 2, ['lic-c']));
  await refused(h.importFile(otherTwo), 'conflict', /differs from the list 2/);
  assert.equal(h.current()?.list.number, 2);
  assert.deepEqual(h.current()?.list.revoked.map((r) => r.licenseId), ['lic-a', 'lic-b']);
  assert.equal(await readFile(join(held, 'revocations.json'), 'utf8'), stored, 'the held file is unchanged');

  assert.equal((await h.importFile(two)).number, 2, 'the same list again is fine and changes nothing');

  // The held list survives a restart of the companion; an older one is still refused after it.
  const again = RevocationHolder.open(held, vendor.keysDir);
  assert.equal(again.current()?.list.number, 2);
  assert.equal(again.current()?.text, h.current()?.text);
  await refused(again.importFile(one), 'conflict', /older/);

  const five = await writeRevocationFile(files, 'five.json', vendor.key, revocationListFor(vendor.key, 5, ['lic-a', 'lic-b', 'lic-c']));
  assert.equal((await again.importFile(five)).number, 5);
  assert.equal(RevocationHolder.open(held, vendor.keysDir).current()?.list.number, 5);
});

test('two imports at once: the newer wins whatever the order they finish in', async () => {
  const seven = await writeRevocationFile(files, 'seven.json', vendor.key, revocationListFor(vendor.key, 7));
  const six = await writeRevocationFile(files, 'six.json', vendor.key, revocationListFor(vendor.key, 6));
  // The files are read at the same time, so either may reach the holder first: six is taken and
  // then replaced by seven, or it arrives after seven and is refused. Seven is held either way.
  for (const [round, order] of [[six, seven], [seven, six], [six, seven], [seven, six]].entries()) {
    const dir = join(scratch.dir, `race-${round}`);
    const h = RevocationHolder.open(dir, vendor.keysDir);
    const results = await Promise.allSettled(order.map((f) => h.importFile(f)));
    const [bySix, bySeven] = [results[order.indexOf(six)]!, results[order.indexOf(seven)]!];
    assert.equal(bySeven.status, 'fulfilled');
    if (bySix.status === 'rejected') {
      const err: unknown = bySix.reason;
      assert.ok(err instanceof CompanionError);
      assert.equal(err.code, 'conflict');
      assert.match(err.message, /list 6 is older than list 7/);
    }
    assert.equal(h.current()?.list.number, 7);
    assert.equal(RevocationHolder.open(dir, vendor.keysDir).current()?.list.number, 7);
  }
});

test('a list this companion cannot verify is not carried: a foreign signer, no vendor keys, a payload naming another key', async () => {
  const dir = join(scratch.dir, 'unverified');
  const h = RevocationHolder.open(dir, vendor.keysDir);
  const forged = await writeRevocationFile(files, 'forged.json', foreign.key, revocationListFor(foreign.key, 999_999));
  await refused(h.importFile(forged), 'invalid-params', /not kept: this companion carries only revocation lists it can verify.*unknown key|does not trust/);
  const blind = RevocationHolder.open(join(scratch.dir, 'blind'), join(scratch.dir, 'no-keys'));
  const good = await writeRevocationFile(files, 'good.json', vendor.key, revocationListFor(vendor.key, 3));
  await refused(blind.importFile(good), 'invalid-params', /no vendor keys known/);
  const misnamed = await writeRawRevocationFile(files, 'misnamed.json', vendor.key, revocationListFor(foreign.key, 4));
  await refused(h.importFile(misnamed), 'invalid-params', /names key .* but was signed by/);
  assert.equal(h.current(), null);
  assert.equal(blind.current(), null);
});

test('hostile files are refused with a sentence and change nothing', async () => {
  const dir = join(scratch.dir, 'hostile');
  const h = RevocationHolder.open(dir, vendor.keysDir);
  const base = await writeRevocationFile(files, 'base.json', vendor.key, revocationListFor(vendor.key, 10, ['lic-a']));
  await h.importFile(base);
  const stored = await readFile(join(dir, 'revocations.json'));
  const write = async (name: string, content: string | Buffer) => {
    const p = join(files, name);
    await writeFile(p, content);
    return p;
  };
  const cases: [string, Promise<string> | string, string, RegExp][] = [
    ['bad JSON', write('bad.json', '{"dsseEnvelope": '), 'invalid-params', /is not a revocation list: it is not JSON/],
    ['huge', write('huge.json', `{"pad":"${'x'.repeat(REVOCATION_LIST_FILE_MAX_B)}"}`), 'invalid-params', /more than the 524288 a revocation list may be/],
    ['not UTF-8', write('latin.json', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 'invalid-params', /not UTF-8/],
    ['not signed', write('plain.json', JSON.stringify(revocationListFor(vendor.key, 11))), 'invalid-params', /not a signed \(DSSE\) file/],
    ['a licence instead', writeLicenseFile(files, 'licence.json', vendor.key, licensePayloadFor(vendor.key)), 'invalid-params', /signed as "application\/vnd\.pitwall\.license\+json"/],
    [
      'wrong types inside',
      writeRawRevocationFile(files, 'types.json', vendor.key, { ...revocationListFor(vendor.key, 12), number: '12' }),
      'invalid-params',
      /not a revocation list this companion understands/,
    ],
    ['a folder', files, 'not-found', /is not a file/],
    ['missing', join(files, 'nope.json'), 'not-found', /no revocation list at/],
    ['relative', 'revocations.json', 'invalid-params', /full path/],
  ];
  for (const [what, path, code, words] of cases) {
    await refused(h.importFile(await path), code, words).catch((err: Error) => assert.fail(`${what}: ${err.message}`));
  }
  // Seeded mutations of a newer valid list: none may be taken (a flipped byte breaks the signature or the JSON).
  const newer = await readFile(await writeRevocationFile(files, 'newer.json', vendor.key, revocationListFor(vendor.key, 20, ['lic-z'])));
  const rand = seededRandom(15);
  for (let i = 0; i < 60; i++) {
    const bytes = Buffer.from(newer);
    const flips = 1 + Math.floor(rand() * 4);
    for (let f = 0; f < flips; f++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
    if (bytes.equals(newer)) continue;
    await assert.rejects(h.importFile(await write(`mut-${i}.json`, bytes)), CompanionError, `mutation ${i} was taken`);
  }
  assert.equal(h.current()?.list.number, 10);
  assert.deepEqual(await readFile(join(dir, 'revocations.json')), stored, 'the held file is byte for byte the same');
});
