import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { COMPANION_CLI } from '../../../../testbed/companion.js';
import { makeBoot, makeCrash, makeHealth, startFakeDiagnosticsUnit, type FakeDiagnosticsUnit } from '../../../../testbed/fake-diagnostics-unit.js';
import { pinUnits } from '../../../../app/test/helpers/diagnostics-fixtures.js';
import { scratchDir } from '../../../../app/test/helpers/units.js';
import { parseCli, UsageError } from '../../../src/cli-args.js';

/** `pitwall diagnostics <unit> -o FILE`: pull, then one archive per unit. */
const scratch = scratchDir('cli-diag');
const dataDir = join(scratch.dir, 'companion');
let unit: FakeDiagnosticsUnit;

before(async () => {
  unit = await startFakeDiagnosticsUnit({ name: 'CLI Unit' });
  unit.boots.push(makeBoot(unit.id, 3_000));
  unit.health.push(makeHealth(unit.id, unit.boots[0]!.boot, new Date()));
  unit.crashes.push(makeCrash(unit.id, unit.boots[0]!.boot, 'cli-1', 'hang', 'watchdog', []));
  await pinUnits(dataDir, [unit]);
});
after(async () => {
  await unit?.close();
  scratch.cleanup();
});

function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [COMPANION_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

test('arguments: -o is required, and only for diagnostics', () => {
  assert.throws(() => parseCli(['diagnostics', 'car']), UsageError);
  assert.throws(() => parseCli(['pair', 'car', '-o', 'x.tar.gz']), UsageError);
  const a = parseCli(['diagnostics', 'car', '-o', 'x.tar.gz', '--no-pull']);
  assert.deepEqual([a.command, 'output' in a && a.output, 'pull' in a && a.pull], ['diagnostics', 'x.tar.gz', false]);
});

test('pulls from the unit and writes its archive; a second run offline uses what is stored', async () => {
  const file = join(scratch.dir, 'out', 'cli-unit.tar.gz');
  const r = await cli(['diagnostics', 'CLI Unit', '-o', file, '--data-dir', dataDir, '--no-mdns']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /3000 log records, 1 health snapshots, 1 crash dumps/);
  assert.match(r.out, /does not serve its audit log/);
  const dir = join(scratch.dir, 'x');
  mkdirSync(dir);
  execFileSync('tar', ['-xzf', file, '-C', dir]);
  const [top] = readdirSync(dir);
  for (const f of ['logs.ndjson', 'health.ndjson', 'info.json', 'crashes/cli-1.json', 'audit-log-not-included.txt']) assert.ok(existsSync(join(dir, top!, f)), f);
  assert.equal(readFileSync(join(dir, top!, 'logs.ndjson'), 'utf8').trim().split('\n').length, 3000);
  assert.equal(unit.boots[0]!.confirmedSeq, 3000, 'confirmed after the pull');

  await unit.close();
  const offline = join(scratch.dir, 'out', 'offline.tar.gz');
  const r2 = await cli(['diagnostics', unit.id, '-o', offline, '--data-dir', dataDir, '--no-mdns', '--timeout', '1']);
  assert.equal(r2.code, 0, r2.out);
  assert.match(r2.out, /offline: exporting what this companion already stored/);
  assert.ok(existsSync(offline));
});
