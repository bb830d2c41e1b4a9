import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 15_000 });

test('bad arguments: a clear message and exit status 2', () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['serve', '--port', '99999'], /--port must be a whole number/],
    [['serve', '--port', 'abc'], /--port must be a whole number/],
    [['serve', '--frob'], /Unknown option '--frob'/],
    [['serve', '--data-dir'], /argument missing|--data-dir/],
    [['serve', '--address', 'not an address'], /--address: .*not a unit address/],
    [['start', '--address', 'ftp://x:1'], /--address/],
    [['discover', '--timeout', '0'], /--timeout must be/],
    [['discover', '--timeout', 'soon'], /--timeout must be/],
    [['discover', 'extra'], /positional|Unexpected argument/i],
  ];
  for (const [args, message] of cases) {
    const res = run(...args);
    assert.equal(res.status, 2, `${args.join(' ')}: ${res.stderr}`);
    assert.match(res.stderr, message, args.join(' '));
    assert.match(res.stderr, /Usage:/);
    assert.equal(res.stdout, '');
  }
});

test('--help and --version exit 0', () => {
  assert.match(run('--help').stdout, /pitwall serve/);
  assert.equal(run('--help').status, 0);
  assert.match(run('--version').stdout, /^\d+\.\d+\.\d+\n$/);
});

test('serve prints exactly one ready line on stdout and stops cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-cli-'));
  try {
    const child = spawn(process.execPath, [CLI, 'serve', '--no-mdns', '--data-dir', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const rl = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      rl.on('line', (l) => {
        lines.push(l);
        if (lines.length === 1) resolve(l);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const ready = JSON.parse(first) as { event: string; url: string };
    assert.equal(ready.event, 'ready');
    assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+\/#token=/);
    const info = await fetch(new URL('/api/call', ready.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ready.url.split('#token=')[1]}` },
      body: JSON.stringify({ method: 'app:info', params: {} }),
    });
    assert.deepEqual(((await info.json()) as { value: { mode: string } }).value.mode, 'browser');
    const started = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(lines, [first], 'nothing but the ready line on stdout');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('start without the Electron binary says so and falls back to browser mode', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-cli-'));
  try {
    const child = spawn(process.execPath, [CLI, 'start', '--no-mdns', '--data-dir', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    assert.equal((JSON.parse(first) as { event: string }).event, 'ready');
    assert.match(stderr, /Electron binary is not installed.*browser mode/);
    child.kill('SIGINT');
    assert.equal(await new Promise((resolve) => child.once('exit', resolve)), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('discover lists a unit reached by address, as a table and as JSON', async () => {
  const { startSimUnit } = await import('../../../../testbed/sim-unit.js');
  const dir = mkdtempSync(join(tmpdir(), 'pitwall-cli-'));
  const unit = await startSimUnit({ dataDir: join(dir, 'unit'), name: 'Bay\u001b[31m 4' });
  try {
    const address = `127.0.0.1:${unit.ready.apiPort}`;
    const runAsync = (...args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.once('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const table = await runAsync('discover', '--no-mdns', '--timeout', '1.5', '--address', address);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID\s+NAME\s+FW\s+LINKS\n/);
    assert.ok(table.stdout.includes(unit.ready.id));
    assert.ok(table.stdout.includes(`address:${address}`));
    assert.ok(!table.stdout.includes('\u001b'), 'control characters from the unit name are not echoed');
    const json = await runAsync('discover', '--no-mdns', '--timeout', '1.5', '--json', '--address', address);
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout) as { id: string; name: string; firmware: string }[];
    assert.equal(list.length, 1);
    assert.equal(list[0]!.id, unit.ready.id);
    assert.equal(list[0]!.name, 'Bay\u001b[31m 4');
  } finally {
    await unit.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
