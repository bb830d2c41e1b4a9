import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../helpers/paths.js';
import { requireTools, systemDir, tool } from '../../helpers/system-tools.js';
import { UNIT_CONFIG_DEFAULTS } from '@pitwall/protocol';
import { NM_OUTBOX } from '../../../src/hal/nm/index.js';
import { UNIT_EXPORT_CONFIG, UNIT_EXPORT_DATA, UNIT_EXPORT_RUN, unitExportSshdConfig } from '../../../src/ops/support/export-server.js';

/**
 * Every systemd unit the unit ships (device-firmware-ts/system/systemd: the runtime's
 * pitwall-device.service, the recovery runtime, log rotation) is sandboxed: the offline
 * security score is at most 2.0, and systemd reads every line of it (an "Unknown key" or
 * "Unknown section" is a hardening line that silently does nothing). Verify under a root
 * is in install-unit.test.ts (it needs the installed binaries).
 */
const UNITS = join(systemDir, 'systemd');
const MAX_EXPOSURE = 2.0;

const unitFiles = async (): Promise<string[]> => (await readdir(UNITS)).filter((f) => /\.(service|timer)$/.test(f)).sort();

test('every service scores at most 2.0 exposed offline, and systemd knows every key and section', async () => {
  await requireTools('systemd-analyze');
  const services = (await unitFiles()).filter((f) => f.endsWith('.service'));
  for (const name of ['pitwall-device.service', 'pitwall-recovery.service', 'pitwall-logrotate.service', 'pitwall-support-export.service', 'pitwall-nm-load@.service']) assert.ok(services.includes(name), `${name} in ${services.join(' ')}`);
  for (const name of services) {
    const r = await tool('systemd-analyze', ['security', '--offline=yes', join(UNITS, name)]);
    const out = r.stdout + r.stderr;
    assert.doesNotMatch(out, /Unknown (key|section|lvalue)/i, `${name}:\n${out}`);
    // A template (name@.service) is scored as its instance name@i.service.
    const shown = name.replace('@.', '@i.').replace(/\./g, '\\.');
    const score = new RegExp(`Overall exposure level for ${shown}: (\\d+\\.\\d)`).exec(r.stdout);
    assert.ok(score, `${name}: no score in\n${out.slice(-800)}`);
    assert.ok(Number(score[1]) <= MAX_EXPOSURE, `${name} scores ${score[1]} (at most ${MAX_EXPOSURE}):\n${r.stdout}`);
  }
});

test('the unknown-key check bites: a misspelt hardening line is reported', async () => {
  const { dir, cleanup } = await tempDir('unit-typo');
  try {
    const text = await readFile(join(UNITS, 'pitwall-recovery.service'), 'utf8');
    await writeFile(join(dir, 'pitwall-recovery.service'), text.replace('ProtectHome=yes', 'ProtectHomes=yes'));
    const r = await tool('systemd-analyze', ['security', '--offline=yes', join(dir, 'pitwall-recovery.service')]);
    assert.match(r.stdout + r.stderr, /Unknown key/i);
  } finally {
    await cleanup();
  }
});

test('the runtime services run as the runtime user with only the dialout, gpio and i2c groups', async () => {
  for (const name of (await unitFiles()).filter((f) => f.endsWith('.service'))) {
    const text = await readFile(join(UNITS, name), 'utf8');
    if (!/^ExecStart=\/usr\/bin\/pitwall-(device|boot)\b/m.test(text)) continue;
    assert.match(text, /^User=pitwall$/m, name);
    assert.match(text, /^Group=pitwall$/m, name);
    assert.match(text, /^SupplementaryGroups=dialout gpio i2c$/m, name);
    assert.match(text, /^CapabilityBoundingSet=$/m, `${name}: no capabilities`);
  }
});

test('the runtime and the recovery runtime never run together', async () => {
  const device = await readFile(join(UNITS, 'pitwall-device.service'), 'utf8');
  const recovery = await readFile(join(UNITS, 'pitwall-recovery.service'), 'utf8');
  assert.match(device, /^ConditionKernelCommandLine=!pitwall\.recovery=1$/m);
  assert.match(recovery, /^ConditionKernelCommandLine=pitwall\.recovery=1$/m);
  assert.match(recovery, /^Conflicts=pitwall-device\.service$/m);
  // The runtime's watchdog: systemd kills and restarts a launcher that stops reporting.
  assert.match(device, /^Type=notify$/m);
  assert.match(device, /^WatchdogSec=\d+$/m);
  assert.match(device, /^Restart=always$/m);
});

test('the recovery runtime is watched by systemd like the runtime: a hung one is killed and started again, and never given up', async () => {
  const section = (text: string, name: string) => text.split(/^\[/m).find((s) => s.startsWith(`${name}]`)) ?? '';
  for (const name of ['pitwall-device.service', 'pitwall-recovery.service']) {
    const service = section(await readFile(join(UNITS, name), 'utf8'), 'Service');
    // READY=1 and WATCHDOG=1 come through systemd-notify, a child of the main process.
    assert.match(service, /^Type=notify$/m, name);
    assert.match(service, /^NotifyAccess=all$/m, name);
    const watchdogS = Number(/^WatchdogSec=(\d+)$/m.exec(service)?.[1]);
    // Longer than the runtime's own hang watchdog, so a blocked loop leaves its dump first.
    assert.ok(watchdogS > UNIT_CONFIG_DEFAULTS.hangTimeoutS, `${name}: WatchdogSec=${watchdogS}, past the ${UNIT_CONFIG_DEFAULTS.hangTimeoutS} s hang timeout`);
    // A watchdog timeout is a failure; always restarts it.
    assert.match(service, /^Restart=always$/m, name);
  }
  const recovery = await readFile(join(UNITS, 'pitwall-recovery.service'), 'utf8');
  // The process systemd watches is the runtime itself, which pings it (recovery-system-watchdog.test.ts).
  assert.match(section(recovery, 'Service'), /^ExecStart=\/usr\/bin\/pitwall-device run /m);
  // One that ignores SIGABRT (stopped, stuck) is killed soon after.
  assert.match(section(recovery, 'Service'), /^TimeoutAbortSec=\d+$/m);
  assert.match(section(recovery, 'Unit'), /^StartLimitIntervalSec=0$/m, 'the last resort is restarted however often it fails');
});

test('sysusers: the runtime user has no login, its home on the data partition and exactly the hardware groups', async () => {
  await requireTools('systemd-sysusers');
  const { dir, cleanup } = await tempDir('sysusers');
  try {
    await mkdir(join(dir, 'etc'));
    const r = await tool('systemd-sysusers', [`--root=${dir}`, join(systemDir, 'sysusers.d/pitwall.conf')]);
    assert.equal(r.code, 0, r.stderr);
    const passwd = (await readFile(join(dir, 'etc/passwd'), 'utf8')).split('\n').find((l) => l.startsWith('pitwall:'));
    assert.ok(passwd);
    const [, , uid, , , home, shell] = passwd.split(':');
    assert.ok(Number(uid) > 0 && Number(uid) < 1000, `a system uid: ${uid}`);
    assert.equal(home, '/var/lib/pitwall');
    assert.equal(shell, '/usr/sbin/nologin');
    const groups = (await readFile(join(dir, 'etc/group'), 'utf8'))
      .split('\n')
      .filter((l) => l.split(':')[3]?.split(',').includes('pitwall'))
      .map((l) => l.split(':')[0])
      .sort();
    assert.deepEqual(groups, ['dialout', 'gpio', 'i2c']);
  } finally {
    await cleanup();
  }
});

test('the support export unit: started only on demand, loopback only, chroot and setuid its only privileges', async () => {
  const text = await readFile(join(UNITS, 'pitwall-support-export.service'), 'utf8');
  assert.doesNotMatch(text, /^\[Install\]/m, 'never started at boot');
  assert.match(text, /^ExecStart=\/usr\/sbin\/sshd -D -f \/usr\/lib\/pitwall\/support-export\/sshd_config /m);
  assert.match(text, /^IPAddressAllow=localhost$/m);
  assert.match(text, /^IPAddressDeny=any$/m);
  assert.match(text, /^CapabilityBoundingSet=CAP_SYS_CHROOT CAP_SETUID CAP_SETGID CAP_DAC_READ_SEARCH$/m);
  assert.match(text, /^ProtectSystem=strict$/m);
  assert.match(text, /^ReadOnlyPaths=\/var\/lib\/pitwall\/support-export$/m);
  assert.doesNotMatch(text, /^ReadWritePaths=/m, 'nothing of the runtime writable');
  // The export reaches the chroot read-only, below a root-owned runtime directory.
  assert.match(text, /^BindReadOnlyPaths=\/var\/lib\/pitwall\/support-export\/export:\/run\/pitwall-support-export\/chroot\/export$/m);
  assert.match(text, /^RuntimeDirectoryMode=0755$/m);
  // The runtime may start and stop exactly this unit (polkit rule): its name is the rule's.
  const rule = await readFile(join(systemDir, 'polkit-1/rules.d/50-pitwall.rules'), 'utf8');
  assert.match(rule, /var PITWALL_UNITS = \['pitwall-support-export\.service'\];/);
});

test("one keyfile folder, one outbox, one export layout: the runtime's names are the units' and the image's", async () => {
  const read = (p: string) => readFile(join(systemDir, p), 'utf8');
  const [conf, script, load, tmpfiles, exportUnit] = await Promise.all([read('NetworkManager/conf.d/50-pitwall.conf'), read('sbin/pitwall-nm-load'), read('systemd/pitwall-nm-load@.service'), read('tmpfiles.d/pitwall.conf'), read('systemd/pitwall-support-export.service')]);
  const keyfiles = /^path=(\S+)$/m.exec(conf)?.[1];
  assert.ok(keyfiles);
  assert.ok(script.includes(`keyfiles=\${PITWALL_NM_KEYFILES:-${keyfiles}}`), 'the helper writes where NetworkManager reads');
  assert.match(load, new RegExp(`^ReadWritePaths=${keyfiles}$`, 'm'));
  assert.match(tmpfiles, new RegExp(`^d ${keyfiles} +0700 root +root +-$`, 'm'));
  const outbox = join('/var/lib/pitwall', NM_OUTBOX);
  assert.ok(script.includes(`outbox=\${PITWALL_NM_OUTBOX:-${outbox}}`), "the helper reads the runtime's outbox");
  assert.match(load, new RegExp(`^ReadOnlyPaths=${outbox}$`, 'm'));
  assert.match(tmpfiles, new RegExp(`^d ${outbox} +0700 pitwall +pitwall +-$`, 'm'));
  assert.ok(exportUnit.includes(`ExecStart=/usr/sbin/sshd -D -f ${UNIT_EXPORT_CONFIG} -E ${UNIT_EXPORT_RUN}/sshd.log`));
  assert.match(exportUnit, new RegExp(`^BindReadOnlyPaths=${UNIT_EXPORT_DATA}/export:${UNIT_EXPORT_RUN}/chroot/export$`, 'm'));
  assert.match(exportUnit, new RegExp(`^ReadOnlyPaths=${UNIT_EXPORT_DATA}$`, 'm'));
  assert.match(exportUnit, new RegExp(`^AssertPathExists=${UNIT_EXPORT_DATA}/sshd/host_ed25519$`, 'm'));
  assert.ok(unitExportSshdConfig(2222).includes(`ChrootDirectory ${UNIT_EXPORT_RUN}/chroot\n`));
});
