import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Routes, supportStatus, type SupportStatus } from '@pitwall/protocol';
import { needsRoot } from '../../../../testbed/require-root.js';
import { runIn, startSupportRelay, startSupportUnit, SUPPORT_TEST_USER, type SupportRelay, type SupportUnit } from '../../../../testbed/support-relay.js';
import { simGpioCommand } from '../../../../testbed/sim-gpio.js';
import { tempDir } from '../../helpers/paths.js';
import { https, makeOperator, pairOverSerial, readAudit, type OperatorCreds } from '../../helpers/https-client.js';

let rig: SupportRelay | undefined;
let data: { dir: string; cleanup: () => Promise<void> };
let unit: SupportUnit | undefined;
const ops = {} as Record<'owner' | 'staff', OperatorCreds>;
const exportDir = () => join(rig!.unitSrv, 'support', 'export');
const keyFile = () => join(data.dir, 'support', 'id_ed25519');

async function status(): Promise<SupportStatus> {
  const r = await https(unit!.base, 'GET', Routes.supportStatus.path, { client: ops.owner });
  assert.equal(r.status, 200, r.body);
  return supportStatus.parse(JSON.parse(r.body));
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Turns support on through the owner's API and registers the unit's fresh key on the relay. */
async function turnOn(durationS: number): Promise<SupportStatus> {
  const r = await https(unit!.base, 'POST', Routes.supportOn.path, { client: ops.owner, body: { durationS }, timeoutMs: 20_000 });
  assert.equal(r.status, 200, r.body);
  const s = supportStatus.parse(JSON.parse(r.body));
  assert.ok(s.on && s.supportKey && s.expiresAt && s.exportHostKey);
  const reg = await rig!.register(unit!.unit.ready.id, s.supportKey, s.expiresAt);
  assert.equal(reg.code, 0, reg.stderr);
  let last = s;
  return until('the tunnel', async () => {
    last = await status();
    return last.tunnel === 'up' && last;
  }).catch((err: Error) => {
    throw new Error(`${err.message}: ${last.lastError}\nrelay log:\n${rig!.relayLog().slice(-3000)}\nkeys: ${readFileSync(join(rig!.dir, 'relay', 'authorized_keys', SUPPORT_TEST_USER), 'utf8')}`);
  });
}

async function bootUnit(): Promise<void> {
  unit = await startSupportUnit(rig!, data.dir, rig!.unitSupportConfig({ refreshS: 1, keepaliveS: 2 }));
}

before(async () => {
  if (process.getuid?.() !== 0) return; // each test says why (needsRoot)
  rig = await startSupportRelay('sup');
  data = await tempDir('support-relay');
  await bootUnit();
  for (const role of ['owner', 'staff'] as const) {
    ops[role] = await makeOperator(`${role} support`);
    await pairOverSerial(unit!.unit.ready.serialPath, ops[role], role);
  }
});

after(async () => {
  await unit?.stop();
  rig?.destroy();
  await data?.cleanup();
});

test('support mode is off until asked; only the owner may turn it on', async (t) => {
  if (!needsRoot(t)) return;
  const s = await status();
  assert.equal(s.on, false);
  assert.equal(s.tunnel, 'down');
  assert.equal(s.supportKey, null);
  assert.equal(existsSync(keyFile()), false, 'no support key before support is on');
  const staff = await https(unit!.base, 'POST', Routes.supportOn.path, { client: ops.staff, body: {} });
  assert.equal(staff.status, 403, staff.body);
  for (const durationS of [0, 8 * 3600 + 1, 1.5, '60']) {
    const r = await https(unit!.base, 'POST', Routes.supportOn.path, { client: ops.owner, body: { durationS } });
    assert.equal(r.status, 400, `durationS ${durationS}: ${r.body}`);
  }
  assert.equal((await status()).on, false, 'refusals changed nothing');
});

test('tunnel up: the export is browsed read-only with sftp through the relay, and the connection is audited', async (t) => {
  if (!needsRoot(t)) return;
  const s = await turnOn(600);
  assert.ok(s.remainingS > 590 && s.remainingS <= 600, String(s.remainingS));
  assert.equal(statSync(keyFile()).mode & 0o777, 0o600, 'the support key is 0600');
  assert.equal(JSON.parse(await simGpioCommand(data.dir, 'led-patterns')).support, 'on', 'the support LED shows the tunnel up');
  const got = join(rig!.dir, 'got-config.json');
  const ls = await rig!.sftp(`ls -1 /\nls -1 /logs\nget /config.json ${got}\n`, s.exportHostKey!);
  assert.equal(ls.code, 0, ls.stderr);
  ls.stdout += readFileSync(got, 'utf8');
  for (const name of ['README.txt', 'unit.json', 'config.json', 'sessions.json', 'logs', 'crashes']) assert.match(ls.stdout, new RegExp(`^/?${name}$`, 'm'), `${name} in ${ls.stdout}`);
  assert.match(ls.stdout, /pitwall\.log/);
  assert.match(ls.stdout, /"exportPort": 2222/, 'the config is there');
  assert.ok(!ls.stdout.includes(rig!.staffPublicKey.split(' ')[1]!), 'the staff keys are counted, not copied');
  const audit = await until('the connection audit record', async () => (await readAudit(data.dir)).find((r) => r.event === 'support' && /support connection opened: nobody from 127\.0\.0\.1/.test(r.detail)));
  assert.equal(audit.via, 'network');
  assert.ok((await readAudit(data.dir)).some((r) => r.event === 'support' && r.operatorFingerprint === ops.owner.fingerprint && /turned on by the owner for 600 s/.test(r.detail)));
});

test('nothing leaves the export and nothing is written: .., absolute paths, symlinks, put, rm, mkdir, rename, chmod', async (t) => {
  if (!needsRoot(t)) return;
  const { exportHostKey } = await status();
  // Planted by someone on the unit: one link in the export itself, one in the log folder it mirrors.
  symlinkSync('/etc/hostname', join(exportDir(), 'planted-abs'));
  symlinkSync('../../../../../../etc/hostname', join(exportDir(), 'planted-rel'));
  symlinkSync('/etc/hostname', join(data.dir, 'logs', 'linked.log'));
  writeFileSync(join(rig!.dir, 'upload.txt'), 'not for the unit');
  const secret = readFileSync('/etc/hostname', 'utf8').trim();
  const leak = join(rig!.dir, 'leak');
  const allowed = await rig!.sftp(`get /README.txt ${leak}\n`, exportHostKey!);
  assert.equal(allowed.code, 0, `the export answers (the refusals below mean something): ${allowed.stderr}`);
  assert.match(readFileSync(leak, 'utf8'), /support export \(read only\)/);
  rmSync(leak);
  const refused = [
    `get ../../../../etc/hostname ${leak}`,
    `get /etc/hostname ${leak}`,
    'ls /etc',
    'cd ..\nls -1 /proc',
    `get /planted-abs ${leak}`,
    `get /planted-rel ${leak}`,
    `put ${join(rig!.dir, 'upload.txt')} /upload.txt`,
    `put ${join(rig!.dir, 'upload.txt')} /logs/upload.txt`,
    'rm /README.txt',
    'mkdir /new',
    'rename /README.txt /gone.txt',
    'chmod 777 /README.txt',
    'symlink /README.txt /link',
    'ln /README.txt /hard',
  ];
  for (const cmd of refused) {
    const r = await rig!.sftp(`${cmd}\n`, exportHostKey!);
    assert.notEqual(r.code, 0, `"${cmd}" should be refused: ${r.stdout}${r.stderr}`);
    assert.ok(!existsSync(leak) && !r.stdout.includes(secret), `"${cmd}" leaked the host's file`);
  }
  await sleep(1500); // a refresh ran: the linked log is not mirrored
  const logs = await rig!.sftp('ls -1 /logs\n', exportHostKey!);
  assert.doesNotMatch(logs.stdout, /linked\.log/);
  assert.equal(existsSync(join(exportDir(), 'upload.txt')), false);
  assert.ok(existsSync(join(exportDir(), 'README.txt')));
  const shell = await runIn(rig!.relayNs, ['ssh', '-F', '/dev/null', '-p', String(rig!.listenPort), '-i', rig!.staffKeyFile, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', `${SUPPORT_TEST_USER}@127.0.0.1`, 'id']);
  assert.doesNotMatch(shell.stdout, /uid=/, 'no shell on the export');
});

test("the unit's relay key opens its one listen port and nothing else", async (t) => {
  if (!needsRoot(t)) return;
  const copy = join(rig!.dir, 'unit-key-copy');
  writeFileSync(copy, readFileSync(keyFile()), { mode: 0o600 });
  const known = join(rig!.dir, 'relay_known_hosts');
  writeFileSync(known, `[${rig!.relayAddress}]:${rig!.relayPort} ${rig!.hostKey}\n`);
  const ssh = (...args: string[]) =>
    runIn(rig!.unitNs, ['ssh', '-F', '/dev/null', '-p', String(rig!.relayPort), '-i', copy, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${known}`, '-o', 'ExitOnForwardFailure=yes', '-o', 'ConnectTimeout=5', ...args, `${SUPPORT_TEST_USER}@${rig!.relayAddress}`], '', 15_000);
  const cmd = await ssh('id');
  assert.notEqual(cmd.code, 0);
  assert.doesNotMatch(cmd.stdout, /uid=/, 'a command never runs');
  const local = await ssh('-N', '-W', '127.0.0.1:22');
  assert.notEqual(local.code, 0);
  assert.match(local.stderr, /administratively prohibited|forwarding/i, local.stderr);
  const other = await ssh('-N', '-R', `127.0.0.1:${rig!.listenPort + 1}:127.0.0.1:22`);
  assert.notEqual(other.code, 0);
  assert.match(other.stderr, /remote port forwarding failed/, other.stderr);
  const wide = await ssh('-N', '-R', `0.0.0.0:${rig!.listenPort}:127.0.0.1:22`);
  assert.notEqual(wide.code, 0, 'not on every address of the relay either');
  const pty = await ssh('-tt');
  assert.doesNotMatch(pty.stdout, /\$ |# /);
});

test('a restart of the unit keeps the end; turning off closes the tunnel and deletes the key', async (t) => {
  if (!needsRoot(t)) return;
  const before = await status();
  await unit!.stop();
  await sleep(2000);
  await bootUnit();
  const after = await until('the tunnel again', async () => {
    const s = await status();
    return s.tunnel === 'up' && s;
  });
  assert.equal(after.on, true);
  assert.equal(after.by, 'owner');
  assert.equal(after.supportKey, before.supportKey, 'the same key: the relay registration still holds');
  assert.ok(after.remainingS <= before.remainingS - 2, `the end did not move: ${before.remainingS} -> ${after.remainingS}`);
  assert.ok(after.remainingS > before.remainingS - 60, `${before.remainingS} -> ${after.remainingS}`);
  const off = await https(unit!.base, 'POST', Routes.supportOff.path, { client: ops.owner, body: {} });
  assert.equal(off.status, 200, off.body);
  assert.equal(supportStatus.parse(JSON.parse(off.body)).on, false);
  assert.equal(existsSync(keyFile()), false, 'the support key is gone');
  assert.deepEqual(readdirSync(exportDir()), [], 'the export is emptied');
  assert.ok((await readAudit(data.dir)).some((r) => r.event === 'support' && /turned off/.test(r.detail) && r.operatorFingerprint === ops.owner.fingerprint));
});

test('expiry closes an open session, the tunnel and the key within seconds', async (t) => {
  if (!needsRoot(t)) return;
  const s = await turnOn(12);
  const session = rig!.openSftp(s.exportHostKey!);
  let out = '';
  session.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => session.once('exit', (code) => resolve(code)));
  session.stdin!.write('ls -1 /\n');
  await until('the open session', async () => out.includes('README.txt'));
  const after = await until('the expiry', async () => {
    const now = await status();
    return !now.on && now;
  }, 25_000);
  // sftp notices a closed connection at its next command: that command gets nothing back.
  const listed = out.length;
  session.stdin!.write('ls -1 /\n');
  const ended = await Promise.race([exited.then(() => 'closed'), sleep(5000).then(() => 'still open')]);
  if (ended !== 'closed') session.kill('SIGKILL');
  assert.equal(ended, 'closed', 'the unit closed the open support session');
  assert.doesNotMatch(out.slice(listed), /README/);
  assert.equal(after.tunnel, 'down');
  await until('the key deleted', async () => !existsSync(keyFile()), 5000);
  const gone = await runIn(rig!.relayNs, ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${rig!.listenPort}`]);
  assert.notEqual(gone.code, 0, 'nothing listens on the relay port any more');
  assert.equal(JSON.parse(await simGpioCommand(data.dir, 'led-patterns')).support, 'off');
  // Written once everything is closed and deleted: a moment after the key is gone.
  const expired = await until('the expiry as an audit record', async () => (await readAudit(data.dir)).find((r) => r.event === 'support' && /expired/.test(r.detail)), 5000);
  assert.equal(expired.via, null);
});

test('the support switch turns it on for the default hour and off again', async (t) => {
  if (!needsRoot(t)) return;
  assert.equal(await simGpioCommand(data.dir, 'switch support on'), 'ok');
  const on = await until('switch on', async () => {
    const s = await status();
    return s.on && s;
  });
  assert.equal(on.by, 'switch');
  assert.ok(on.remainingS > 3500 && on.remainingS <= 3600);
  assert.equal(await simGpioCommand(data.dir, 'switch support off'), 'ok');
  await until('switch off', async () => !(await status()).on);
  await until('both switch records', async () => {
    const records = (await readAudit(data.dir)).filter((r) => r.event === 'support' && r.via === 'switch');
    return records.some((r) => /on by the support switch/.test(r.detail)) && records.some((r) => /turned off \(it was on by switch\)/.test(r.detail));
  }, 5000);
});
