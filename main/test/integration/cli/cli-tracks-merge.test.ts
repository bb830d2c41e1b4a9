import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { openDatabase, OwnTracks } from '@pitwall/app';
import { storeFarSession } from '../../helpers/far-session.js';
import { scratchDir } from '../../../../app/test/helpers/units.js';

/** Two laptops' data folders: a track drawn on A travels to B as a book file, B renames it, A merges B's book back. */
const CLI = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
const scratch = scratchDir('cli-tracks-merge');
const dirA = join(scratch.dir, 'laptop-a');
const dirB = join(scratch.dir, 'laptop-b');
const run = (dir: string, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--data-dir', dir], { encoding: 'utf8' });

before(() => {
  for (const dir of [dirA, dirB]) openDatabase(dir).close();
  storeFarSession(dirA);
});
after(() => scratch.cleanup());

test('pitwall tracks book and merge: the track and a later rename travel between laptops, with what changed and from where', () => {
  assert.equal(run(dirA, 'tracks', 'add', '--from', 's-far', '--name', 'Home Loop').status, 0);
  const bookA = join(scratch.dir, 'a.json');
  const wrote = run(dirA, 'tracks', 'book', '-o', bookA);
  assert.equal(wrote.status, 0, wrote.stderr);
  const key = Object.keys(JSON.parse(readFileSync(bookA, 'utf8')).tracks as object)[0]!;

  const intoB = run(dirB, 'tracks', 'merge', bookA);
  assert.equal(intoB.status, 0, intoB.stderr);
  assert.match(intoB.stdout, new RegExp(`^track ${key}: created - -> Home Loop \\(from laptop-[0-9a-f]{12}\\)$`, 'm'));

  const listedOnB = run(dirB, 'tracks', '--json');
  assert.ok((JSON.parse(listedOnB.stdout) as { id: string; name: string; own: boolean }[]).some((t) => t.id === key && t.own && t.name === 'Home Loop'), 'the merged track is an own track on B');

  const db = openDatabase(dirB);
  const onB = new OwnTracks(db);
  onB.book.rename(key, 'Club loop');
  const laptopB = onB.book.load().node;
  db.close();
  const bookB = join(scratch.dir, 'b.json');
  assert.equal(run(dirB, 'tracks', 'book', '-o', bookB).status, 0);

  const back = run(dirA, 'tracks', 'merge', bookB);
  assert.equal(back.status, 0, back.stderr);
  assert.equal(back.stdout.trim(), `track ${key}: name Home Loop -> Club loop (from ${laptopB})`);
  assert.match(run(dirA, 'tracks').stdout, /^Club loop\s/m, 'the merged name is the one listed');
  assert.match(run(dirA, 'tracks', 'merge', bookB).stdout, /nothing changed/);
});

test('pitwall tracks merge refuses a file that is not a book, in a sentence, and changes nothing', () => {
  const bookOfA = () => {
    const file = join(scratch.dir, 'a-now.json');
    assert.equal(run(dirA, 'tracks', 'book', '-o', file).status, 0);
    return readFileSync(file, 'utf8');
  };
  const before = bookOfA();
  const bad = join(scratch.dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ tracks: { 'own-x': { name: { value: 'Evil\u001b[2J' } } }, groups: {} }));
  const r = run(dirA, 'tracks', 'merge', bad);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /was not merged \(nothing changed\): invalid TrackBook/);
  assert.ok(!r.stderr.includes('\u001b'), 'no escape sequence reaches the terminal');
  assert.equal(run(dirA, 'tracks', 'merge', join(scratch.dir, 'missing.json')).status, 3);
  assert.equal(run(dirA, 'tracks', 'merge').status, 2);
  assert.equal(bookOfA(), before);
  assert.ok(before.includes('Club loop'));
});
