import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

/**
 * `pitwall bundle keygen|build|sign|keylist|inspect|verify` as the vendor runs them: real
 * processes, real files, real signatures. Keys are written 0600 and never printed.
 */

const CLI = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pitwall-bundle-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'bundle', ...args], { encoding: 'utf8', cwd: dir });
const at = (name: string) => join(dir, name);

function runtime(): string {
  const root = at('runtime');
  mkdirSync(join(root, 'api'), { recursive: true });
  writeFileSync(join(root, 'cli.js'), '#!/usr/bin/env node\nconsole.log("unit")\n');
  writeFileSync(join(root, 'api', 'routes.js'), 'export const routes = [];\n'.repeat(500));
  return root;
}

test('keygen writes the private key 0600 and prints only the key id; it never overwrites a key', () => {
  const k = run('keygen', '--out', 'vendor.key');
  assert.equal(k.status, 0, k.stderr);
  assert.equal(statSync(at('vendor.key')).mode & 0o777, 0o600);
  const pem = readFileSync(at('vendor.key'), 'utf8');
  const body = pem.split('\n')[1] as string;
  assert.ok(body.length > 20);
  assert.ok(!k.stdout.includes(body) && !k.stderr.includes(body) && !/PRIVATE KEY-----/.test(k.stdout + k.stderr));
  assert.match(k.stdout, /^key id [0-9a-f]{64}$/m);
  const again = run('keygen', '--out', 'vendor.key');
  assert.equal(again.status, 1);
  assert.match(again.stderr, /exists already/);
  assert.equal(readFileSync(at('vendor.key'), 'utf8'), pem);
});

test('build, sign, inspect, verify; refused: unsigned, wrong key, a readable private key, a flipped byte', () => {
  const keyId = /key id ([0-9a-f]{64})/.exec(run('keygen', '--out', 'v1.key').stdout)?.[1];
  run('keygen', '--out', 'other.key');
  const b = run('build', '--runtime', runtime(), '--version', '2.1.0', '--model', 'pw-1', '--model', 'pw-2', '--min-version', '1.0.0', '--out', 'u.pwb');
  assert.equal(b.status, 0, b.stderr);
  const unsigned = run('verify', 'u.pwb', '--public', 'v1.pub.pem');
  assert.equal(unsigned.status, 1);
  assert.match(unsigned.stderr, /refused \(unsigned\)/);
  const s = run('sign', 'u.pwb', '--key', 'v1.key', '--out', 's.pwb');
  assert.equal(s.status, 0, s.stderr);
  const i = run('inspect', 's.pwb');
  assert.equal(i.status, 0, i.stderr);
  assert.match(i.stdout, /runtime version\s+2\.1\.0/);
  assert.match(i.stdout, new RegExp(`signer key id\\s+${keyId}`));
  assert.match(i.stdout, /models\s+pw-1, pw-2/);
  const v = run('verify', 's.pwb', '--public', 'v1.pub.pem');
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /verified: runtime 2\.1\.0/);
  const wrong = run('verify', 's.pwb', '--public', 'other.pub.pem');
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /refused \(unknown-key\)/);
  const bytes = readFileSync(at('s.pwb'));
  bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 1;
  writeFileSync(at('flipped.pwb'), bytes);
  assert.match(run('verify', 'flipped.pwb', '--public', 'v1.pub.pem').stderr, /refused \(payload-mismatch\)/);
  writeFileSync(at('open.key'), readFileSync(at('v1.key')), { mode: 0o644 });
  const open = run('sign', 'u.pwb', '--key', 'open.key', '--out', 'o.pwb');
  assert.equal(open.status, 1);
  assert.match(open.stderr, /can be read by other users/);
});

test('rotation: a key list signed by the old key lets units that pin only the old key verify a bundle signed by the new one', () => {
  run('keygen', '--out', 'old.key');
  run('keygen', '--out', 'new.key');
  assert.equal(run('build', '--runtime', runtime(), '--version', '2.2.0', '--model', 'pw-1', '--min-version', '1.0.0', '--out', 'r.pwb').status, 0);
  const kl = run('keylist', '--sequence', '1', '--public', 'new.pub.pem', '--key', 'old.key', '--out', 'keys-1.json');
  assert.equal(kl.status, 0, kl.stderr);
  assert.equal(run('sign', 'r.pwb', '--key', 'new.key', '--out', 'r-new.pwb').status, 0);
  assert.match(run('verify', 'r-new.pwb', '--public', 'old.pub.pem').stderr, /refused \(unknown-key\)/);
  assert.equal(run('sign', 'r.pwb', '--key', 'new.key', '--key-list', 'keys-1.json', '--out', 'r-rot.pwb').status, 0);
  const v = run('verify', 'r-rot.pwb', '--public', 'old.pub.pem');
  assert.equal(v.status, 0, v.stderr);
  assert.match(run('inspect', 'r-rot.pwb').stdout, /carries\s+a signed vendor key list/);
});

test('build --executable: a single-executable entry is listed with its sha256 and size; a wrong kind of entry is refused and writes nothing', () => {
  const root = at('sea');
  mkdirSync(join(root, 'app'), { recursive: true });
  // Any ELF executable stands in for the single executable here (the SEA itself: device-firmware-ts sea-slot.test.ts).
  copyFileSync('/bin/true', join(root, 'pitwall-device'));
  writeFileSync(join(root, 'app', 'catalog.json'), '{}\n');
  const b = run('build', '--runtime', root, '--entry', 'pitwall-device', '--executable', '--version', '2.3.0', '--model', 'pw-1', '--min-version', '1.0.0', '--out', 'sea.pwb');
  assert.equal(b.status, 0, b.stderr);
  const hash = createHash('sha256').update(readFileSync('/bin/true')).digest('hex');
  assert.match(b.stdout, new RegExp(`executable entry pitwall-device: ${statSync('/bin/true').size} bytes, sha256 ${hash}`));
  const i = run('inspect', 'sea.pwb', '--json');
  assert.equal(i.status, 0, i.stderr);
  const info = JSON.parse(i.stdout) as { entry: string; entryKind?: string };
  assert.equal(info.entry, 'pitwall-device');
  assert.equal(info.entryKind, 'executable');
  assert.match(run('inspect', 'sea.pwb').stdout, /runtime version\s+2\.3\.0 \(entry pitwall-device, a single executable\)/);

  const notElf = run('build', '--runtime', root, '--entry', 'app/catalog.json', '--executable', '--version', '2.3.0', '--model', 'pw-1', '--min-version', '1.0.0', '--out', 'bad1.pwb');
  assert.equal(notElf.status, 1);
  assert.match(notElf.stderr, /not an ELF executable/);
  const unsaid = run('build', '--runtime', root, '--entry', 'pitwall-device', '--version', '2.3.0', '--model', 'pw-1', '--min-version', '1.0.0', '--out', 'bad2.pwb');
  assert.equal(unsaid.status, 1);
  assert.match(unsaid.stderr, /is an executable/);
  assert.ok(!existsSync(at('bad1.pwb')) && !existsSync(at('bad2.pwb')), 'a refused build writes no bundle');
});
