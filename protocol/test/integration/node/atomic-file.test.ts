import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileExclusive, removeStaleTemps, writeFileAtomic, writeFileAtomicSync } from '../../../src/node/atomic-file.js';

function scratch(): { dir: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-file-'));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

const writers = {
  async: (file: string, content: string, mode?: number) => writeFileAtomic(file, content, mode),
  sync: async (file: string, content: string, mode?: number) => writeFileAtomicSync(file, content, mode),
};

for (const [name, write] of Object.entries(writers)) {
  test(`${name}: replaces the file with exactly the mode asked for, whatever the umask, leaving no temp file`, async () => {
    using s = scratch();
    const file = join(s.dir, 'id.json');
    const old = process.umask(0o077);
    try {
      await write(file, 'one', 0o644);
      assert.equal(statSync(file).mode & 0o777, 0o644);
      await write(file, 'two');
      assert.equal(readFileSync(file, 'utf8'), 'two');
      assert.equal(statSync(file).mode & 0o777, 0o600, 'the default is private');
    } finally {
      process.umask(old);
    }
    assert.deepEqual(readdirSync(s.dir), ['id.json']);
  });

  test(`${name}: a failed write changes nothing and leaves no temp file`, async () => {
    using s = scratch();
    const file = join(s.dir, 'taken');
    mkdirSync(file); // renaming a file over a directory fails
    writeFileSync(join(s.dir, 'keep'), 'old');
    await assert.rejects(write(file, 'new'), /EISDIR|ENOTEMPTY|EEXIST/);
    assert.deepEqual(readdirSync(s.dir).sort(), ['keep', 'taken']);
    assert.deepEqual(readdirSync(file), []);
    await assert.rejects(write(join(s.dir, 'missing', 'x'), 'new'), /ENOENT/);
    assert.deepEqual(readdirSync(s.dir).sort(), ['keep', 'taken']);
  });
}

test('stale temp files of a killed writer are removed, nothing else', async () => {
  using s = scratch();
  const file = join(s.dir, 'operators.json');
  for (const n of ['operators.json', 'operators.json.tmp-123', 'operators.json.tmp-9-0badc0de', 'other.json.tmp-1', 'operators.jsonl']) writeFileSync(join(s.dir, n), 'x');
  await removeStaleTemps(file);
  assert.deepEqual(readdirSync(s.dir).sort(), ['operators.json', 'operators.jsonl', 'other.json.tmp-1']);
});

/**
 * The durability order itself, seen from the kernel's side: the temp file is fsynced before the
 * rename, and the directory is opened and fsynced after it (without that the rename can be lost
 * at a power cut). Traced with strace on a child process.
 */
test('the file is fsynced before the rename and the directory after it (strace)', () => {
  // The test command installs strace (scripts/setup.sh): without it this test fails, never skips.
  assert.equal(spawnSync('strace', ['-V']).status, 0, 'strace is needed (run scripts/setup.sh as root)');
  using s = scratch();
  const module = fileURLToPath(new URL('../../../src/node/atomic-file.ts', import.meta.url));
  const script = `import { writeFileAtomic, writeFileAtomicSync } from ${JSON.stringify(module)};
    await writeFileAtomic(${JSON.stringify(join(s.dir, 'a.json'))}, 'a');
    writeFileAtomicSync(${JSON.stringify(join(s.dir, 'b.json'))}, 'b');`;
  const run = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,fsync,fdatasync,rename,renameat,renameat2,close', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr.slice(-2000));
  for (const name of ['a.json', 'b.json']) {
    // Follow the calls on this file's temp, its rename and then its directory, in order.
    const lines = run.stderr.split('\n').filter((l) => l.includes(s.dir) || /fsync\(|close\(/.test(l));
    const tempOpen = lines.findIndex((l) => l.includes('openat(') && l.includes(`${name}.tmp-`));
    assert.ok(tempOpen >= 0, `the temp file of ${name} is opened`);
    const tempFd = /= (\d+)$/.exec(lines[tempOpen]!)![1];
    const fsyncTemp = lines.findIndex((l, i) => i > tempOpen && new RegExp(`fsync\\(${tempFd}\\)`).test(l));
    const renamed = lines.findIndex((l, i) => i > tempOpen && /rename/.test(l) && l.includes(`${name}"`));
    assert.ok(fsyncTemp > tempOpen && renamed > fsyncTemp, `${name}: fsync(temp) before the rename`);
    const dirOpen = lines.findIndex((l, i) => i > renamed && l.includes('openat(') && l.includes(`"${s.dir}"`));
    assert.ok(dirOpen > renamed, `${name}: the directory is opened after the rename`);
    const dirFd = /= (\d+)$/.exec(lines[dirOpen]!)![1];
    assert.ok(lines.some((l, i) => i > dirOpen && new RegExp(`fsync\\(${dirFd}\\)`).test(l)), `${name}: the directory is fsynced`);
  }
});

test('createFileExclusive: of writers racing to create one file exactly one wins; an existing file is never replaced', async () => {
  using s = scratch();
  const file = join(s.dir, 'key.pem');
  const made = await Promise.all(Array.from({ length: 16 }, (_, i) => createFileExclusive(file, `writer ${i}`, 0o600)));
  assert.equal(made.filter(Boolean).length, 1);
  assert.equal(readFileSync(file, 'utf8'), `writer ${made.indexOf(true)}`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(await createFileExclusive(file, 'late'), false);
  assert.equal(readFileSync(file, 'utf8'), `writer ${made.indexOf(true)}`);
  assert.deepEqual(readdirSync(s.dir), ['key.pem'], 'no temp file is left');
});
