import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSupportExportCommand } from '../../../src/support-export-cli.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
const base = ['--relay', '127.0.0.1:1', '--key', '/nonexistent/staff', '--host-key', KEY];

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSupportExportCommand(argv, { out: (l) => void out.push(l), err: (l) => void err.push(l) });
  return { code, out, err };
}

test('support ls|get|archive: bad options are usage errors (exit 2) and nothing runs', async () => {
  for (const [argv, why] of [
    [['ls', '--key', 'k', '--host-key', KEY], /--relay is required/],
    [['ls', '--relay', 'relay', '--key', 'k', '--host-key', KEY], /HOST:PORT/],
    [['ls', '--relay', 'a b:22', '--key', 'k', '--host-key', KEY], /HOST:PORT/],
    [['ls', '--relay', 'relay:70000', '--key', 'k', '--host-key', KEY], /HOST:PORT/],
    [['get', 'README.txt', ...base], /needs -o FOLDER/],
    [['get', ...base, '-o', '/tmp'], /exactly one path/],
    [['archive', 'logs', ...base, '-o', '/tmp/x.tar.gz'], /takes no path/],
    [['ls', ...base, '--shell'], /Unknown option/],
  ] as const) {
    const r = await run([...argv]);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err.join('|')}`);
    assert.match(r.err.join('\n'), why);
    assert.deepEqual(r.out, []);
  }
});

test('support ls|get: an unsafe export path is refused (exit 1) before sftp runs', async () => {
  for (const path of ['..', 'logs/../../etc', 'a\nget /etc/shadow', 'logs/*']) {
    const ls = await run(['ls', path, ...base]);
    assert.equal(ls.code, 1, ls.err.join('|'));
    assert.match(ls.err.join('\n'), /refused path/);
    const get = await run(['get', path, ...base, '-o', '/tmp']);
    assert.equal(get.code, 1);
    assert.match(get.err.join('\n'), /refused path/);
  }
  const badKey = await run(['ls', '--relay', '127.0.0.1:1', '--key', 'k', '--host-key', 'ssh-ed25519 not!base64']);
  assert.equal(badKey.code, 1);
  assert.match(badKey.err.join('\n'), /not an OpenSSH public key/);
});
