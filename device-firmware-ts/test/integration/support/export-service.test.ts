import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '../../../src/ops/logger.js';
import { EXPORT_UNIT, systemdExportServer, unitExportSshdConfig } from '../../../src/ops/support/export-server.js';
import { tempDir } from '../../helpers/paths.js';

/**
 * The unit's export server (support mode on a real unit): the runtime prepares the keys, has
 * systemd start pitwall-support-export.service and reads sshd's log for the audit. systemd is
 * not PID 1 here: a `systemctl` script records each call and, on start, writes the log lines
 * the real sshd writes (the unit file itself is scored and verified in test/integration/system).
 */
const STAFF = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsZ0rQbQYZ0Y0Qk0m2n1d3q4kS6pZ0d1cQ8bM0u1n7P staff@support';
const ACCEPTED = 'Accepted publickey for pitwall from 127.0.0.1 port 40112 ssh2: ED25519 SHA256:abc';

async function rig(systemctlBody: string) {
  const { dir, cleanup } = await tempDir('export-service');
  const run = join(dir, 'run');
  const calls = join(dir, 'calls');
  const systemctl = join(dir, 'systemctl');
  await writeFile(systemctl, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\nRUN='${run}'\n${systemctlBody}\n`);
  await chmod(systemctl, 0o755);
  const config = join(dir, 'sshd_config');
  await writeFile(config, unitExportSshdConfig(2222));
  const server = systemdExportServer({ systemctl, data: join(dir, 'data'), run, config, pollMs: 20 });
  const events: Array<{ kind: string; detail: string }> = [];
  const start = (port = 2222) => server.start({ port, user: 'ignored', staffKeys: [STAFF], log: silentLogger, onConnection: (e) => events.push(e) });
  const callLog = async () => (await readFile(calls, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { dir, server, start, events, callLog, cleanup };
}

test('start: keys prepared, the unit started through systemctl, connections read from its log; stop stops it', async () => {
  const r = await rig(`case "$*" in *start*) mkdir -p "$RUN"; echo 'Server listening on 127.0.0.1 port 2222.' > "$RUN/sshd.log";; esac`);
  try {
    assert.equal(r.server.folder, join(r.dir, 'data/export'));
    const sshd = await r.start();
    assert.match(sshd.hostKey, /^ssh-ed25519 \S+$/);
    assert.equal(sshd.problem, null);
    assert.deepEqual(await r.callLog(), [`--no-ask-password start ${EXPORT_UNIT}`]);
    const hostKey = await stat(join(r.dir, 'data/sshd/host_ed25519'));
    assert.equal(hostKey.mode & 0o777, 0o600);
    assert.equal(await readFile(join(r.dir, 'data/sshd/authorized_keys'), 'utf8'), `restrict ${STAFF}\n`);
    // sshd logs a connection, in two writes (a line split across polls is read whole).
    await writeFile(join(r.dir, 'run/sshd.log'), `${ACCEPTED.slice(0, 30)}`, { flag: 'a' });
    await new Promise((res) => setTimeout(res, 100));
    await writeFile(join(r.dir, 'run/sshd.log'), `${ACCEPTED.slice(30)}\nConnection closed by authenticating user pitwall 127.0.0.1 port 40113 [preauth]\n`, { flag: 'a' });
    await new Promise((res) => setTimeout(res, 200));
    await sshd.stop();
    assert.deepEqual(r.events.map((e) => e.kind), ['open', 'refused']);
    assert.match(r.events[0]!.detail, /^pitwall from 127\.0\.0\.1:40112 with ED25519 SHA256:abc$/);
    assert.deepEqual(await r.callLog(), [`--no-ask-password start ${EXPORT_UNIT}`, `--no-ask-password stop ${EXPORT_UNIT}`]);
  } finally {
    await r.cleanup();
  }
});

test('a port other than the image config names is refused before anything starts', async () => {
  const r = await rig('exit 0');
  try {
    await assert.rejects(r.start(2299), /support\.exportPort is 2299 but the image's export sshd listens on 2222: set support\.exportPort to 2222/);
    assert.deepEqual(await r.callLog(), []);
  } finally {
    await r.cleanup();
  }
});

test("systemd's refusal (polkit) is the error, in systemctl's words", async () => {
  const r = await rig(`echo 'Failed to start ${EXPORT_UNIT}: Access denied' >&2; exit 4`);
  try {
    await assert.rejects(r.start(), new RegExp(`systemctl start ${EXPORT_UNIT.replace('.', '\\.')} failed: Failed to start .*Access denied`));
  } finally {
    await r.cleanup();
  }
});

test('an image without the export config says so', async () => {
  const { dir, cleanup } = await tempDir('export-service-none');
  try {
    const server = systemdExportServer({ systemctl: '/bin/false', data: join(dir, 'data'), run: join(dir, 'run'), config: join(dir, 'missing') });
    await assert.rejects(server.start({ port: 2222, user: 'x', staffKeys: [], log: silentLogger, onConnection: () => undefined }), /the image has no support export config/);
  } finally {
    await cleanup();
  }
});
