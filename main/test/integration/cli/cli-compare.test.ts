import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { LapComparisonResult } from '@pitwall/protocol';
import { loadTracks, openDatabase, SessionStore } from '@pitwall/app';
import { everlandSession } from '../../../../app/test/helpers/everland-session.js';
import { scratchDir } from '../../../../app/test/helpers/units.js';

const CLI = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
const scratch = scratchDir('cli-compare');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--data-dir', scratch.dir], { encoding: 'utf8' });

before(() => {
  // Real Everland laps: one unit at 10 Hz, another logging the same drive at 5 Hz, a third driver 3 % slower.
  const db = openDatabase(scratch.dir);
  const tracks = loadTracks();
  const store = new SessionStore(db, () => tracks);
  const meta = (unitName: string) => ({ sha256: '0'.repeat(64), unitName, sizeB: 1 });
  store.ingest(everlandSession({ unitId: 'unit-1', sessionId: 'ev-ten', driver: 'Ana' }), meta('Car 1'));
  store.ingest(everlandSession({ unitId: 'unit-2', sessionId: 'ev-five', driver: 'Ana', every: 2, startMs: Date.UTC(2024, 5, 1, 9) }), meta('Car 2'));
  store.ingest(everlandSession({ unitId: 'unit-3', sessionId: 'ev-slow', driver: 'Ben', pace: 1.03, startMs: Date.UTC(2024, 5, 2, 9) }), meta('Car 3'));
  db.close();
});
after(() => scratch.cleanup());

test('pitwall compare: the same lap from a 10 Hz and a 5 Hz unit is level all the way; the tables name the sectors and corners', () => {
  const r = run('compare', 'ev-ten:1', 'ev-five:1');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^AMG Everland Speedway/m);
  assert.match(r.stdout, /^A\s+1:1\s+Ana · Car 1\s+10 Hz\s+2:18\.9\d\d$/m);
  assert.match(r.stdout, /^B\s+2:1\s+Ana · Car 2\s+5 Hz\s+2:18\.9\d\d$/m);
  assert.match(r.stdout, /^SECTOR\s+A\s+B\s+B-A$/m);
  assert.match(r.stdout, /^S3\s+/m);
  assert.match(r.stdout, /^CORNER\s+AT\s+RADIUS/m);
  assert.match(r.stdout, /^T1 right\s+\d+-\d+ m/m);
  const json = JSON.parse(run('compare', 'ev-ten:1', 'ev-five:1', '--json').stdout) as LapComparisonResult;
  assert.ok(json.corners.length >= 10);
  assert.ok(json.deltaMs.every((d) => Math.abs(d) < 100), 'level within 0.1 s everywhere');
  for (const k of json.corners) assert.ok(Math.abs(k.a.minKmh - k.b.minKmh) < 2.5, `T${k.number}: ${k.a.minKmh} vs ${k.b.minKmh}`);
});

test('pitwall compare --json: a slower driver loses time in proportion, best laps by name', () => {
  const r = run('compare', '1:best', 'ev-slow:best', '--json');
  assert.equal(r.status, 0, r.stderr);
  const c = JSON.parse(r.stdout) as LapComparisonResult;
  assert.equal(c.b.driver, 'Ben');
  assert.ok(Math.abs(c.deltaMs.at(-1)! - (c.b.timeMs - c.a.timeMs)) < 0.2);
  // 3 % slower everywhere: the delta at each station is 3 % of A's elapsed time there.
  const i = c.stationsM.findIndex((s) => s >= c.track.lengthM / 2);
  assert.ok(Math.abs(c.deltaMs[i]! - 0.03 * c.a.elapsedMs[i]!) < 30, `${c.deltaMs[i]} vs ${0.03 * c.a.elapsedMs[i]!}`);
  assert.ok(c.corners.every((k) => k.b.minKmh < k.a.minKmh && k.deltaMs > 0));
});

test('pitwall compare: bad references are refused with a sentence and nothing else', () => {
  const cases: [string[], number, RegExp][] = [
    [['compare', '1:9', '2:1'], 3, /session 1 has no lap 9/],
    [['compare', 'nope:1', '2:1'], 3, /no session "nope"/],
    [['compare', '1', '2:1'], 2, /"1" is not SESSION:LAP/],
    [['compare', '1:x', '2:1'], 2, /"x" is not a lap number/],
    [['compare', '1:1'], 2, /compare takes two laps/],
  ];
  for (const [args, status, message] of cases) {
    const r = run(...args);
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
});
