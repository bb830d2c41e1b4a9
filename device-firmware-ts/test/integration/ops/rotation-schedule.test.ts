import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { appendFile, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../../helpers/paths.js';
import { RELOAD_ARGV, SYSTEMCTL, systemctlStub } from '../../helpers/systemctl-stub.js';

/**
 * What runs the log rotation on a unit: a systemd timer (hourly, persistent) starting a
 * oneshot service that runs logrotate on the shipped config, with its state on the data
 * partition; the config's size trigger rotates between daily turns and its postrotate sends
 * SIGHUP to the runtime. Checked by parsing the unit files, by systemd-analyze (verify, and
 * the offline security score), and by running the service's command line with the real
 * logrotate against a temp data directory.
 */
const run = promisify(execFile);
const SYSTEM = join(repoRoot, 'device-firmware-ts/system');
const TIMER = join(SYSTEM, 'systemd/pitwall-logrotate.timer');
const SERVICE = join(SYSTEM, 'systemd/pitwall-logrotate.service');
const CONFIG = join(SYSTEM, 'logrotate.d/pitwall');
const DATA = '/var/lib/pitwall';
const INSTALLED_CONFIG = '/etc/pitwall/logrotate.d/pitwall';

type Unit = Map<string, Map<string, string[]>>;

/** A systemd unit file: section -> key -> values (a key may repeat); comments and blank lines dropped. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[([A-Za-z]+)\]$/.exec(line);
    if (head) {
      section = new Map();
      unit.set(head[1]!, section);
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    assert.ok(kv && section, `not a unit-file line: ${line}`);
    section.set(kv[1]!, [...(section.get(kv[1]!) ?? []), kv[2]!]);
  }
  return unit;
}

const one = (unit: Unit, section: string, key: string): string => {
  const v = unit.get(section)?.get(key);
  assert.ok(v && v.length === 1, `[${section}] ${key}: ${JSON.stringify(v)}`);
  return v[0]!;
};

/** The test command installs these (scripts/setup.sh): a missing one fails, it does not skip. */
async function requireTool(cmd: string, pkg: string): Promise<void> {
  const found = await run('sh', ['-c', `command -v ${cmd}`]).then(
    () => true,
    () => false,
  );
  assert.ok(found, `${cmd} is not installed (Debian package ${pkg}; scripts/setup.sh installs it)`);
}

test('the timer starts the rotation service hourly, also after a unit was off at the full hour', async () => {
  const timer = parseUnit(await readFile(TIMER, 'utf8'));
  assert.equal(one(timer, 'Timer', 'OnCalendar'), 'hourly');
  assert.equal(one(timer, 'Timer', 'Persistent'), 'true');
  assert.equal(timer.get('Timer')?.get('Unit'), undefined, 'no Unit=: it starts the service of the same name');
  assert.equal(one(timer, 'Install', 'WantedBy'), 'timers.target');
  const service = parseUnit(await readFile(SERVICE, 'utf8'));
  assert.equal(one(service, 'Service', 'Type'), 'oneshot');
  assert.equal(service.get('Install'), undefined, 'started by its timer only');
  const argv = one(service, 'Service', 'ExecStart').split(/\s+/);
  assert.deepEqual(argv, ['/usr/sbin/logrotate', '--state', `${DATA}/run/logrotate.state`, INSTALLED_CONFIG]);
  // The only writable places are the log directory and the state's directory.
  assert.deepEqual(one(service, 'Service', 'ReadWritePaths').split(/\s+/).sort(), [`-${DATA}/logs`, `-${DATA}/run`]);
  assert.equal(one(service, 'Service', 'ProtectSystem'), 'strict');
});

test('the config rotates by size between daily turns and has systemd send SIGHUP to the runtime, never trusting a pid file', async () => {
  const config = await readFile(CONFIG, 'utf8');
  assert.match(config, /^\/var\/lib\/pitwall\/logs\/pitwall\.log \{$/m);
  assert.match(config, /^\s+maxsize \d+[kMG]?$/m);
  assert.match(config, /^\s+daily$/m);
  const body = config.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
  const post = /postrotate\n([^]*?)\n\s*endscript/.exec(body);
  assert.ok(post, 'a postrotate script');
  assert.deepEqual(post[1]!.trim(), `${SYSTEMCTL} ${RELOAD_ARGV.join(' ')} 2>/dev/null || true`);
  // Root signals no pid that a less trusted user could have written.
  assert.ok(!body.includes('.pid'), 'no pid file');
  const service = parseUnit(await readFile(SERVICE, 'utf8'));
  assert.ok(!one(service, 'Service', 'CapabilityBoundingSet').includes('CAP_KILL'), 'systemd sends the signal: no CAP_KILL');
});

test('systemd-analyze: both files verify without a warning; the service scores at most 2.0 exposed', async () => {
  await requireTool('systemd-analyze', 'systemd');
  await requireTool('logrotate', 'logrotate'); // verify checks that ExecStart exists
  const verify = await run('systemd-analyze', ['verify', TIMER, SERVICE]).catch((err: { stdout: string; stderr: string; code: number }) => err);
  assert.equal('code' in verify ? verify.code : 0, 0, verify.stderr);
  // Unknown keys and bad values are only warnings: none may be printed.
  assert.equal(verify.stderr.trim(), '', verify.stderr);
  const security = await run('systemd-analyze', ['security', '--offline=yes', SERVICE]);
  const score = /Overall exposure level for pitwall-logrotate\.service: (\d+\.\d)/.exec(security.stdout);
  assert.ok(score, security.stdout.slice(-500));
  assert.ok(Number(score[1]) <= 2, `exposure ${score[1]}`);
});

test('the service\'s command line with the real logrotate: hourly runs rotate only past maxsize, then SIGHUP reaches the runtime', async () => {
  await requireTool('logrotate', 'logrotate');
  const { dir, cleanup } = await tempDir('rotation-schedule');
  // Stands in for the runtime: counts SIGHUPs in a file.
  const runtime = spawn(process.execPath, ['-e', `let n=0;process.on('SIGHUP',()=>require('fs').writeFileSync(process.argv[1],String(++n)));setInterval(()=>{},1000);process.stdout.write('up\\n')`, join(dir, 'hups')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise((resolve) => runtime.stdout.once('data', resolve));
    await mkdir(join(dir, 'logs'));
    await mkdir(join(dir, 'run'));
    await mkdir(join(dir, 'etc'));
    const maxB = 64 * 1024;
    const config = (await readFile(CONFIG, 'utf8')).replaceAll(DATA, dir).replace(/^(\s*)maxsize \S+$/m, `$1maxsize ${maxB}`);
    // systemd (signalling pitwall-device.service's main process) stood in for by a stub.
    const systemctl = await systemctlStub(dir, runtime.pid!);
    await writeFile(join(dir, 'etc', 'pitwall'), config.replaceAll(SYSTEMCTL, systemctl.path), { mode: 0o644 });
    const service = parseUnit(await readFile(SERVICE, 'utf8'));
    const [bin, ...args] = one(service, 'Service', 'ExecStart')
      .replaceAll(INSTALLED_CONFIG, join(dir, 'etc', 'pitwall'))
      .replaceAll(DATA, dir)
      .split(/\s+/);
    const hourly = () => run(bin!, args);
    const log = join(dir, 'logs', 'pitwall.log');
    const line = `${JSON.stringify({ level: 'info', msg: 'x'.repeat(200) })}\n`;

    await writeFile(log, line.repeat(100), { mode: 0o640 }); // ~21 kB: under maxsize
    await hourly();
    assert.deepEqual((await readdir(join(dir, 'logs'))).sort(), ['pitwall.log'], 'under maxsize and not a day old: kept');
    assert.ok((await stat(join(dir, 'run', 'logrotate.state'))).isFile(), 'state on the data partition');

    await appendFile(log, line.repeat(400)); // ~105 kB: past maxsize
    await hourly();
    assert.deepEqual((await readdir(join(dir, 'logs'))).sort(), ['pitwall.log', 'pitwall.log.1'], 'past maxsize: rotated within the hour');
    assert.equal((await stat(log)).size, 0, 'a new empty log was created');
    assert.equal((await stat(log)).mode & 0o777, 0o640);
    assert.equal(await readFile(join(dir, 'hups'), 'utf8').catch(() => '0'), '1', 'the runtime got one SIGHUP');
    assert.deepEqual(await systemctl.calls(), [RELOAD_ARGV]);

    await hourly();
    assert.equal(await readFile(join(dir, 'hups'), 'utf8'), '1', 'nothing to do: no signal');
  } finally {
    runtime.kill('SIGKILL');
    await cleanup();
  }
});
