import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { decodeSession } from '@pitwall/protocol';
import { openDatabase, SessionStore } from '@pitwall/app';
import { makeSession, SYNTH_TRACK } from '../../../../app/test/helpers/session-files.js';
import { scratchDir } from '../../../../app/test/helpers/units.js';

const CLI = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
const scratch = scratchDir('cli-sessions');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--data-dir', scratch.dir], { encoding: 'utf8' });
const runIn = (dir: string, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--data-dir', dir], { encoding: 'utf8' });

before(async () => {
  const made = await makeSession(scratch.dir, { unitId: 'unit-c', sessionId: 's-c1', durationS: 150, seed: 5, driver: 'Lee' });
  const db = openDatabase(scratch.dir);
  // The CLI times laps with the shipped catalog; the synthetic circuit is stored with its laps here.
  new SessionStore(db, () => [SYNTH_TRACK]).ingest(decodeSession(readFileSync(made.path)), { sha256: made.sha256, unitName: 'Car 3', sizeB: made.sizeB });
  db.close();
});
after(() => scratch.cleanup());

test('pitwall sessions, laps and export', () => {
  const list = run('sessions');
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /ID\s+DATE \(UTC\)\s+TRACK\s+DRIVER\s+UNIT/);
  assert.match(list.stdout, /synthetic-oval\s+Lee\s+Car 3\s+3/);
  const json = JSON.parse(run('sessions', '--json').stdout) as { id: number; laps: number }[];
  assert.equal(json.length, 1);
  const laps = run('laps', String(json[0]!.id));
  assert.equal(laps.status, 0, laps.stderr);
  assert.match(laps.stdout, /LAP\s+TIME\s+S1\s+S2/);
  assert.match(laps.stdout, /theoretical best 43\.\d{3}\s+consistency/);
  const lapsJson = JSON.parse(run('laps', 's-c1', '--json').stdout) as { laps: { timeMs: number; sectorsMs: number[] }[] };
  assert.equal(lapsJson.laps.length, 3);
  const out = join(scratch.dir, 'x.gpx');
  const exp = run('export', 's-c1', '--format', 'gpx', '--lap', '1', '-o', out);
  assert.equal(exp.status, 0, exp.stderr);
  assert.match(readFileSync(out, 'utf8'), /<gpx version="1.1"/);
  assert.equal(run('export', 's-c1', '--format', 'kml', '-o', out).status, 2);
  assert.equal(run('laps', 'nope').status, 3);
});

test('pitwall sessions: one line per session, every cell cleaned, columns aligned', async () => {
  const two = scratchDir('cli-sessions-two');
  try {
    assert.equal(runIn(two.dir, 'sessions').stdout, 'no sessions yet: run pitwall sync\n');
    const db = openDatabase(two.dir);
    const store = new SessionStore(db, () => [SYNTH_TRACK]);
    // A unit's name and a driver's name are untrusted: an escape sequence, a newline, a bell.
    const made = [
      { sessionId: 's-a', driver: 'Ann\u001b[31m\nRed', unitName: 'Car\u00074', seed: 5 },
      { sessionId: 's-b', driver: 'Bo', unitName: 'Car 12\r', seed: 6 },
    ];
    for (const m of made) {
      const f = await makeSession(two.dir, { unitId: 'unit-d', sessionId: m.sessionId, durationS: 150, seed: m.seed, driver: m.driver });
      store.ingest(decodeSession(readFileSync(f.path)), { sha256: f.sha256, unitName: m.unitName, sizeB: f.sizeB });
    }
    db.close();
    const r = runIn(two.dir, 'sessions');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.endsWith('\n'));
    const lines = r.stdout.slice(0, -1).split('\n');
    assert.equal(lines.length, 3, r.stdout);
    assert.ok(![...r.stdout].some((c) => c !== '\n' && /\p{Cc}/u.test(c)), 'no control character but the line ends');
    assert.match(lines[0]!, /^ID\s+DATE \(UTC\)\s+TRACK\s+DRIVER\s+UNIT\s+LAPS\s+BEST\s+SESSION$/);
    const row = lines.find((l) => l.endsWith('s-a'))!;
    assert.match(row, /Ann\?\[31m\?Red\s+Car\?4\s+3\s/);
    assert.match(lines.find((l) => l.endsWith('s-b'))!, /Bo\s+Car 12\?\s+3\s/);
    const col = (name: string) => lines[0]!.indexOf(name);
    for (const l of lines.slice(1)) assert.equal(l.indexOf('Car'), col('UNIT'), l);
  } finally {
    two.cleanup();
  }
});

test('pitwall sync with no paired unit online says so; --help lists the session commands', () => {
  const r = run('sync', '--no-mdns', '--timeout', '1');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /no paired unit online/);
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, /pitwall sync \[--unit ID\]/);
  assert.match(help.stdout, /pitwall export SESSION --format csv\|gpx\|vbo \[--lap N\] -o FILE/);
});
