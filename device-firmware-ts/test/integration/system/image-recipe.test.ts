import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UNIT_CONFIG_DEFAULTS } from '@pitwall/protocol';
import { repoRoot, tempDir } from '../../helpers/paths.js';
import { requireTools, tool } from '../../helpers/system-tools.js';

/**
 * The image recipe (resources/image/build-image.sh) built for this machine's architecture:
 * mmdebstrap makes a real Debian root (variant essential, nothing extra, to keep it to a few
 * minutes; the unit's arm64 image adds systemd, NetworkManager, the Pi's kernel and firmware)
 * with the unit installed by its customize hook, then lays out the GPT disk. Needs a Debian
 * mirror (apt's sources of this machine).
 */
const BUILD = join(repoRoot, 'resources/image/build-image.sh');
let out = '';
let cleanup: () => Promise<void> = async () => {};
let built = { code: -1, stdout: '', stderr: '' };
type Part = { start: number; size: number; name: string; type: string };
let parts: Part[] = [];

/** Copies one partition of the disk into its own file (debugfs and mtools read whole files). */
async function extract(part: Part, file: string): Promise<string> {
  const r = await tool('dd', [`if=${join(out, 'disk.img')}`, `of=${file}`, 'bs=512', `skip=${part.start}`, `count=${part.size}`, 'conv=sparse', 'status=none']);
  assert.equal(r.code, 0, r.stderr);
  return file;
}
const part = (name: string): Part => {
  const p = parts.find((x) => x.name === name);
  assert.ok(p, `partition ${name}`);
  return p;
};
const debugfsCat = async (fs: string, path: string): Promise<string> => (await tool('debugfs', ['-R', `cat ${path}`, fs])).stdout;

// A real Debian root from the mirror: a minute on a quiet machine, several under load.
before(async () => {
  await requireTools('mmdebstrap', 'sfdisk', 'mke2fs', 'debugfs', 'mkfs.vfat', 'mcopy', 'mtype');
  ({ dir: out, cleanup } = await tempDir('image'));
  built = await tool(BUILD, ['--arch', 'amd64', '--out', out, '--node', process.execPath, '--variant', 'essential', '--include', '', '--root-size', '384MiB', '--data-size', '16MiB']);
  const dump = await tool('sfdisk', ['--json', join(out, 'disk.img')]);
  parts = (JSON.parse(dump.stdout || '{"partitiontable":{"partitions":[]}}') as { partitiontable: { partitions: Part[] } }).partitiontable.partitions;
}, { timeout: 900_000 });
after(() => cleanup());

test('the recipe builds a GPT disk: boot, rootA, rootB, recovery, data', () => {
  assert.equal(built.code, 0, built.stderr.slice(-3000));
  assert.deepEqual(parts.map((p) => p.name), ['boot', 'rootA', 'rootB', 'recovery', 'data']);
  assert.equal(part('boot').type, 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7');
  assert.equal(part('rootA').size, part('rootB').size, 'the two slots are the same size');
});

test('each root slot and the recovery partition hold the Debian root with the unit installed', async () => {
  for (const name of ['rootA', 'rootB', 'recovery']) {
    const fs = await extract(part(name), join(out, `${name}.img`));
    assert.match(await debugfsCat(fs, '/usr/lib/os-release'), /Debian GNU\/Linux 12/);
    assert.deepEqual(JSON.parse(await debugfsCat(fs, '/etc/pitwall/unit.json')), UNIT_CONFIG_DEFAULTS);
    assert.match(await debugfsCat(fs, '/etc/passwd'), /^pitwall:x:\d+:\d+:Pitwall unit runtime:\/var\/lib\/pitwall:\/usr\/sbin\/nologin$/m);
    assert.match(await debugfsCat(fs, '/usr/bin/pitwall-device'), /exec \/usr\/lib\/pitwall\/bin\/node \/usr\/lib\/pitwall\/runtime\/dist\/cli\.js/);
    const units = (await tool('debugfs', ['-R', 'ls /etc/systemd/system', fs])).stdout;
    assert.match(units, /pitwall-recovery\.service/);
    assert.match(units, /pitwall-logrotate\.timer/);
    assert.match(units, /pitwall-support-export\.service/);
    // The export's sshd is the only one: the OS's own ssh.service is masked.
    assert.match(await tool('debugfs', ['-R', 'stat /etc/systemd/system/ssh.service', fs]).then((r) => r.stdout), /Fast link dest: "\/dev\/null"/);
    assert.match(await debugfsCat(fs, '/etc/polkit-1/rules.d/50-pitwall.rules'), /pitwall-support-export\.service/);
    assert.match(await debugfsCat(fs, '/etc/fstab'), /^PARTLABEL=boot \/boot\/firmware vfat ro,/m);
    const label = (await tool('dumpe2fs', ['-h', fs])).stdout;
    assert.match(label, new RegExp(`Filesystem volume name:\\s+${name}$`, 'm'));
  }
});

test('the boot partition starts slot A read-only under the overlay; the recovery command line adds pitwall.recovery=1', async () => {
  const boot = await extract(part('boot'), join(out, 'boot.img'));
  const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
  const cmdline = (await tool('mtype', ['-i', boot, '::cmdline.txt'], { env })).stdout;
  assert.match(cmdline, /root=PARTLABEL=rootA .*\bro\b.*init=\/usr\/lib\/pitwall\/sbin\/pitwall-overlay-root/);
  assert.doesNotMatch(cmdline, /pitwall\.recovery/);
  const recovery = (await tool('mtype', ['-i', boot, '::cmdline-recovery.txt'], { env })).stdout;
  assert.match(recovery, /root=PARTLABEL=recovery .*pitwall\.recovery=1/);
});

test('the data partition ships empty (pitwall-data-crypt open-boot formats it with the unit\'s own key on first boot)', async () => {
  const fh = await open(join(out, 'disk.img'), 'r');
  try {
    const { buffer } = await fh.read(Buffer.alloc(part('data').size * 512), 0, part('data').size * 512, part('data').start * 512);
    assert.ok(buffer.every((b) => b === 0));
  } finally {
    await fh.close();
  }
});

test('bad arguments: a clear error before anything is built', async () => {
  const { dir, cleanup: done } = await tempDir('image-bad');
  try {
    for (const [args, message] of [
      [['--arch', 'arm64', '--out', dir], /--arch, --out and --node are required/],
      [['--arch', 'armhf', '--out', dir, '--node', process.execPath], /the unit is arm64/],
      [['--arch', 'amd64', '--out', dir, '--node', join(dir, 'no-node')], /is not an executable/],
      [['--arch', 'amd64', '--out', dir, '--bogus'], /unknown argument "--bogus"/],
    ] as const) {
      const r = await tool(BUILD, [...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await done();
  }
});
