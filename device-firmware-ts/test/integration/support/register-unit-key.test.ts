import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../../helpers/paths.js';

const SCRIPT = join(repoRoot, 'resources', 'relay', 'register-unit-key.sh');

function run(args: string[], stdin = '') {
  const r = spawnSync('bash', [SCRIPT, ...args], { input: stdin, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('register-unit-key.sh: one restricted line per unit, refuses anything else, sweeps expired lines', async () => {
  const d = await tempDir('relay-keys');
  try {
    const keys = join(d.dir, 'authorized_keys', 'pitwall-relay');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'unit', '-f', join(d.dir, 'k')]);
    const pub = readFileSync(join(d.dir, 'k.pub'), 'utf8').trim();
    const body = pub.split(' ').slice(0, 2).join(' ');
    const inAnHour = new Date(Date.now() + 3600_000).toISOString();
    const ok = run(['add', '--unit', 'unit-1', '--port', '20001', '--until', inAnHour, '--keys', keys], `${pub}\n`);
    assert.equal(ok.code, 0, ok.err);
    const line = readFileSync(keys, 'utf8');
    assert.match(line, /^restrict,port-forwarding,permitlisten="127\.0\.0\.1:20001",command="\/bin\/false",expiry-time="\d{12}Z" ssh-ed25519 \S+ pitwall-unit=unit-1\n$/);
    // sshd itself reads the line (and its options) as valid.
    assert.equal(spawnSync('ssh-keygen', ['-l', '-f', keys]).status, 0);

    const refusals: [string[], string][] = [
      [['add', '--unit', 'unit 2', '--port', '20002', '--until', inAnHour], pub],
      [['add', '--unit', 'unit-2', '--port', '22', '--until', inAnHour], pub],
      [['add', '--unit', 'unit-2', '--port', '20002', '--until', new Date(Date.now() + 9 * 3600_000).toISOString()], pub],
      [['add', '--unit', 'unit-2', '--port', '20002', '--until', new Date(Date.now() - 60_000).toISOString()], pub],
      [['add', '--unit', 'unit-2', '--port', '20002', '--until', 'not a time'], pub],
      [['add', '--unit', 'unit-2', '--port', '20002', '--until', inAnHour], `command="/bin/sh",permitlisten="0.0.0.0:22" ${body}`],
      [['add', '--unit', 'unit-2', '--port', '20002', '--until', inAnHour], `${body}\nssh-ed25519 AAAAsecond`],
      [['add', '--unit', 'unit-2', '--port', '20002', '--until', inAnHour], 'ssh-ed25519 AAAAnotakey'],
      [['add', '--unit', 'unit-2', '--port', '20002', '--until', inAnHour], `ssh-rsa ${body.split(' ')[1]}`],
      [['add', '--unit', 'unit-2', '--port', '20002', '--until', inAnHour, '--evil'], pub],
    ];
    for (const [args, stdin] of refusals) {
      const r = run([...args, '--keys', keys], `${stdin}\n`);
      assert.equal(r.code, 2, `${args.join(' ')} / ${stdin.slice(0, 40)}: ${r.out}`);
      assert.equal(readFileSync(keys, 'utf8'), line, 'a refusal changes nothing');
    }
    // A new key for the same unit replaces its line; another unit adds one; remove and sweep drop them.
    assert.equal(run(['add', '--unit', 'unit-1', '--port', '20001', '--until', inAnHour, '--keys', keys], `${pub}\n`).code, 0);
    assert.equal(readFileSync(keys, 'utf8').split('\n').filter(Boolean).length, 1);
    assert.equal(run(['add', '--unit', 'unit-3', '--port', '20003', '--until', inAnHour, '--keys', keys], `${pub}\n`).code, 0);
    writeFileSync(keys, `${readFileSync(keys, 'utf8')}restrict,port-forwarding,permitlisten="127.0.0.1:20009",command="/bin/false",expiry-time="202001010000Z" ${body} pitwall-unit=old\n`);
    assert.equal(run(['sweep', '--keys', keys]).code, 0);
    assert.deepEqual(readFileSync(keys, 'utf8').match(/pitwall-unit=\S+/g), ['pitwall-unit=unit-1', 'pitwall-unit=unit-3']);
    assert.equal(run(['remove', '--unit', 'unit-1', '--keys', keys]).code, 0);
    assert.deepEqual(readFileSync(keys, 'utf8').match(/pitwall-unit=\S+/g), ['pitwall-unit=unit-3']);
  } finally {
    await d.cleanup();
  }
});
