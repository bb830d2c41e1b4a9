import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { loadTracks, openDatabase, SessionStore } from '@pitwall/app';
import { vboGate } from '@pitwall/protocol';
import { farRidgeSession, RIDGE_GP as GP, RIDGE_ROAD as ROAD, ridgeSession } from '../../../../app/test/helpers/ridge-session.js';
import { scratchDir } from '../../../../app/test/helpers/units.js';

const CLI = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
const scratch = scratchDir('cli-tracks');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--data-dir', scratch.dir], { encoding: 'utf8' });

before(() => {
  const db = openDatabase(scratch.dir);
  const tracks = loadTracks();
  const store = new SessionStore(db, () => tracks);
  store.ingest(ridgeSession(tracks), { sha256: 'a'.repeat(64), unitName: 'Car 7', sizeB: 1 });
  store.ingest(farRidgeSession(tracks), { sha256: 'c'.repeat(64), unitName: 'Car 8', sizeB: 1 });
  db.close();
});
after(() => scratch.cleanup());

test('pitwall tracks: the catalog by name; --near: nearest first, within 50 km; bad input is refused', () => {
  const all = run('tracks');
  assert.equal(all.status, 0, all.stderr);
  assert.match(all.stdout, /^NAME\s+LENGTH\s+ID$/m);
  assert.match(all.stdout, /^Sonoma Raceway — Cup\s+3\.14 km\s+sonoma-raceway-sonoma-cup$/m);
  const near = run('tracks', '--near', '38.161,-122.455');
  assert.equal(near.status, 0, near.stderr);
  const lines = near.stdout.trim().split('\n');
  assert.match(lines[0]!, /NAME\s+LENGTH\s+DISTANCE\s+ID/);
  assert.ok(lines.slice(1).every((l) => /^Sonoma Raceway/.test(l)), near.stdout);
  const json = JSON.parse(run('tracks', '--near', '38.161,-122.455', '--json').stdout) as { distanceM: number; name: string }[];
  assert.equal(json.length, 5);
  assert.deepEqual(json.map((t) => t.distanceM), [...json.map((t) => t.distanceM)].sort((a, b) => a - b));
  for (const bad of ['38.1', '91,0', 'x,y', '38.1,-122.4;rm']) {
    const r = run('tracks', '--near', bad);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /--near takes LAT,LON/);
  }
  assert.match(run('tracks', '--near', '0,0').stdout, /no track within 50 km/);
});

test('pitwall laps --track re-times a session on another layout, keeps the choice for listings and exports; auto undoes it', () => {
  const auto = run('laps', 's-ridge');
  assert.equal(auto.status, 0, auto.stderr);
  assert.match(auto.stdout, /^Track: Ridge Motorsports Park — Road \(chosen by the driven path\)$/m);
  const autoLaps = JSON.parse(run('laps', 's-ridge', '--json').stdout) as { laps: unknown[]; session: { trackId: string } };
  assert.equal(autoLaps.session.trackId, ROAD);
  assert.ok(autoLaps.laps.length >= 3);

  const byHand = run('laps', 's-ridge', '--track', GP);
  assert.equal(byHand.status, 0, byHand.stderr);
  assert.match(byHand.stdout, /^Track: Ridge Motorsports Park — GP \(chosen by hand\)$/m);
  const gpLaps = JSON.parse(run('laps', 's-ridge', '--json').stdout) as { laps: { timeMs: number }[]; session: { trackId: string; trackByHand: boolean }; trackName: string };
  assert.deepEqual([gpLaps.session.trackId, gpLaps.session.trackByHand, gpLaps.trackName], [GP, true, 'Ridge Motorsports Park — GP']);
  assert.ok(gpLaps.laps.length >= 1 && gpLaps.laps[0]!.timeMs < 80_000, 'the warm-up laps, timed on the short layout');
  assert.match(run('sessions').stdout, /Ridge Motorsports Park — GP/);

  const out = join(scratch.dir, 'ridge.vbo');
  assert.equal(run('export', 's-ridge', '--format', 'vbo', '-o', out).status, 0);
  const gp = loadTracks().find((t) => t.id === GP)!;
  assert.ok(readFileSync(out, 'utf8').includes(vboGate('Start', gp.startFinish, 'StartFinish')), "the VBO gate is the chosen layout's line");
  const gpx = join(scratch.dir, 'ridge.gpx');
  assert.equal(run('export', 's-ridge', '--format', 'gpx', '-o', gpx).status, 0);
  assert.match(readFileSync(gpx, 'utf8'), /<name>Car 7 Ridge Motorsports Park — GP /);

  const unknown = run('laps', 's-ridge', '--track', 'no-such-track');
  assert.equal(unknown.status, 3);
  assert.match(unknown.stderr, /no track "no-such-track"/);
  assert.equal((JSON.parse(run('laps', 's-ridge', '--json').stdout) as { session: { trackId: string } }).session.trackId, GP, 'a refused choice changes nothing');

  assert.match(run('laps', 's-ridge', '--track', 'auto').stdout, /Road \(chosen by the driven path\)/);
});

test('pitwall tracks add --from SESSION: your own track, its laps at once, listed by name; drawn again it is the same track', () => {
  const before = run('laps', 's-far');
  assert.match(before.stdout, /^Track: - /m, `no catalog track there: ${before.stdout}${before.stderr}`);
  const added = run('tracks', 'add', '--from', 's-far', '--name', 'Home Loop');
  assert.equal(added.status, 0, added.stderr);
  const m = /^added: Home Loop \((own-[0-9a-f]{16})\), (\d+\.\d\d) km; session \d+: (\d+) laps on it$/m.exec(added.stdout);
  assert.ok(m, added.stdout);
  // The first loop the drive closes is on the warm-up (the short layout, 0.77 km, where the
  // synthetic paddock exit cuts across): that is the track drawn, not the 3.85 km one.
  assert.ok(Number(m[2]) > 0.7 && Number(m[2]) < 1, `${m[2]} km`);
  assert.ok(Number(m[3]) >= 1, 'its laps, timed on the new track at once');
  assert.match(run('laps', 's-far').stdout, /^Track: Home Loop \(chosen by hand\)$/m);
  assert.match(run('tracks').stdout, new RegExp(`^Home Loop\\s+${m[2]} km\\s+${m[1]}$`, 'm'));
  const again = run('tracks', 'add', '--from', 's-far', '--name', 'Home Loop again', '--json');
  assert.equal(again.status, 0, again.stderr);
  const json = JSON.parse(again.stdout) as { track: { id: string }; added: boolean };
  assert.deepEqual([json.track.id, json.added], [m[1], false]);
  for (const bad of [['--from', 'nope'], ['--from', 's-far', '--at', '2'], ['--from', 's-far', '--sectors', '0.5,x'], []]) {
    assert.notEqual(run('tracks', 'add', ...bad).status, 0, bad.join(' '));
  }
});
