import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, cp, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UNIT_CONFIG_DEFAULTS } from '@pitwall/protocol';
import { repoRoot, tempDir } from '../../helpers/paths.js';
import { requireTools, systemDir, tool } from '../../helpers/system-tools.js';
import { unitExportSshdConfig } from '../../../src/ops/support/export-server.js';

/**
 * scripts/install-unit.sh lays the unit onto a root: the built runtime with its production
 * dependencies, launchers, unit files (enabled), default config, logrotate config, the
 * runtime's user and directories. The temp root is seeded with what the OS brings (systemd's
 * own units, logrotate) so `systemd-analyze verify --root` can resolve every dependency.
 */
const INSTALL = join(repoRoot, 'scripts/install-unit.sh');
let root = '';
let cleanup: () => Promise<void> = async () => {};
let installed = { code: -1, stdout: '', stderr: '' };

const pitwallIds = async (): Promise<{ uid: number; gid: number }> => {
  const line = (await readFile(join(root, 'etc/passwd'), 'utf8')).split('\n').find((l) => l.startsWith('pitwall:'));
  assert.ok(line, 'the pitwall user exists in the root');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
};

before(async () => {
  await requireTools('systemd-analyze', 'systemd-sysusers', 'systemd-tmpfiles', 'systemctl', 'logrotate', 'sshd');
  ({ dir: root, cleanup } = await tempDir('install-root'));
  await mkdir(join(root, 'usr/lib/systemd'), { recursive: true });
  await cp('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  await mkdir(join(root, 'usr/sbin'), { recursive: true });
  await cp('/usr/sbin/logrotate', join(root, 'usr/sbin/logrotate'));
  await cp('/usr/sbin/sshd', join(root, 'usr/sbin/sshd'));
  installed = await tool(INSTALL, ['--root', root]);
});
after(() => cleanup());

test('installs, and systemd-analyze verify --root is clean for every installed unit', async () => {
  assert.equal(installed.code, 0, installed.stderr);
  const units = (await readdir(join(systemDir, 'systemd'))).filter((f) => /\.(service|timer)$/.test(f));
  const installedUnits = (await readdir(join(root, 'etc/systemd/system'))).filter((f) => /\.(service|timer)$/.test(f));
  assert.deepEqual(installedUnits.sort(), units.sort());
  const r = await tool('systemd-analyze', ['verify', `--root=${root}`, ...units]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.trim(), '', r.stderr);
  // Enabled the way systemctl enable does it.
  assert.ok((await readdir(join(root, 'etc/systemd/system/timers.target.wants'))).includes('pitwall-logrotate.timer'));
  assert.ok((await readdir(join(root, 'etc/systemd/system/multi-user.target.wants'))).includes('pitwall-recovery.service'));
});

test('the default config is the UnitConfig defaults; the logrotate config is the shipped one', async () => {
  assert.deepEqual(JSON.parse(await readFile(join(root, 'etc/pitwall/unit.json'), 'utf8')), UNIT_CONFIG_DEFAULTS);
  assert.equal(await readFile(join(root, 'etc/pitwall/logrotate.d/pitwall'), 'utf8'), await readFile(join(systemDir, 'logrotate.d/pitwall'), 'utf8'));
});

test('Wi-Fi profiles on the data partition, the polkit rule, the export sshd config at the configured port', async () => {
  assert.equal(await readFile(join(root, 'etc/NetworkManager/conf.d/50-pitwall.conf'), 'utf8'), await readFile(join(systemDir, 'NetworkManager/conf.d/50-pitwall.conf'), 'utf8'));
  assert.equal(await readFile(join(root, 'etc/polkit-1/rules.d/50-pitwall.rules'), 'utf8'), await readFile(join(systemDir, 'polkit-1/rules.d/50-pitwall.rules'), 'utf8'));
  const sshdConfig = join(root, 'usr/lib/pitwall/support-export/sshd_config');
  assert.equal(await readFile(sshdConfig, 'utf8'), unitExportSshdConfig(UNIT_CONFIG_DEFAULTS.support.exportPort));
  for (const file of ['etc/NetworkManager/conf.d/50-pitwall.conf', 'etc/polkit-1/rules.d/50-pitwall.rules', 'usr/lib/pitwall/support-export/sshd_config']) {
    const s = await stat(join(root, file));
    assert.deepEqual([s.uid, s.mode & 0o777], [0, 0o644], file);
  }
  // NetworkManager's keyfile folder is the root-owned one on the data partition.
  const path = /^path=(.+)$/m.exec(await readFile(join(root, 'etc/NetworkManager/conf.d/50-pitwall.conf'), 'utf8'))?.[1];
  assert.equal(path, '/data/system/system-connections');
  const folder = await stat(join(root, path));
  assert.deepEqual([folder.uid, folder.mode & 0o777], [0, 0o700]);
  // sshd itself accepts the config (a throwaway host key stands in for the runtime's).
  const key = join(root, 'tmp-host-key');
  assert.equal((await tool('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])).code, 0);
  const t = await tool('/usr/sbin/sshd', ['-T', '-f', sshdConfig, '-h', key]);
  assert.match(t.stdout, /^chrootdirectory \/run\/pitwall-support-export\/chroot$/m, t.stderr);
  assert.match(t.stdout, /^forcecommand internal-sftp -R -d \/export$/m, t.stderr);
  assert.match(t.stdout, /^listenaddress 127\.0\.0\.1:2222$/m, t.stderr);
});

test('the installed runtime loads from the root alone (its dependencies are inside it)', async () => {
  const r = await tool(process.execPath, [join(root, 'usr/lib/pitwall/runtime/dist/cli.js'), '--version'], { cwd: root });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\d+\.\d+\.\d+/);
  const launcher = await readFile(join(root, 'usr/bin/pitwall-device'), 'utf8');
  assert.match(launcher, /^exec \/usr\/bin\/node \/usr\/lib\/pitwall\/runtime\/dist\/cli\.js "\$@"$/m);
  assert.equal((await stat(join(root, 'usr/bin/pitwall-device'))).mode & 0o777, 0o755);
});

test('identity: the key directory and key belong to the runtime user only; the Wi-Fi profiles to root only', async () => {
  const { uid, gid } = await pitwallIds();
  const id = await stat(join(root, 'var/lib/pitwall/identity'));
  assert.deepEqual([id.uid, id.gid, id.mode & 0o777], [uid, gid, 0o700]);
  // A key restored with loose modes is put right by tmpfiles at the next boot.
  const key = join(root, 'var/lib/pitwall/identity/unit-key.pem');
  await writeFile(key, 'restored key\n');
  await chown(key, uid, gid);
  await chmod(key, 0o644);
  const r = await tool('systemd-tmpfiles', [`--root=${root}`, '--create', 'pitwall.conf']);
  assert.equal(r.code, 0, r.stderr);
  const k = await stat(key);
  assert.deepEqual([k.uid, k.gid, k.mode & 0o777], [uid, gid, 0o600]);
  for (const dir of ['data/system', 'data/system/system-connections', 'etc/NetworkManager/system-connections']) {
    const s = await stat(join(root, dir));
    assert.deepEqual([s.uid, s.mode & 0o777], [0, 0o700], dir);
  }
  const data = await stat(join(root, 'data/pitwall'));
  assert.deepEqual([data.uid, data.mode & 0o777], [uid, 0o750]);
});

test('a second install keeps an edited config', async () => {
  const config = join(root, 'etc/pitwall/unit.json');
  await writeFile(config, '{"name":"Dealer-7"}\n');
  const again = await tool(INSTALL, ['--root', root]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await readFile(config, 'utf8'), '{"name":"Dealer-7"}\n');
});

test('bad arguments: a clear error, exit 2, nothing written', async () => {
  const { dir, cleanup: done } = await tempDir('install-bad');
  try {
    for (const [args, message] of [
      [[], /--root DIR is required/],
      [['--root', '/'], /refusing to install into \//],
      [['--root', join(dir, 'missing')], /is not a directory/],
      [['--root', dir, '--bogus'], /unknown argument "--bogus"/],
      [['--root', dir, '--node', join(dir, 'no-node')], /is not an executable/],
    ] as const) {
      const r = await tool(INSTALL, [...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await done();
  }
});
