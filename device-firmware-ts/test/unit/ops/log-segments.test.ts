import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { openLogStore } from '../../../src/index.js';
import { tempDir } from '../../helpers/paths.js';

const UNIT = '0b6f0c2e-5f1a-5b1e-9a51-1c2d3e4f5a6b';
const boots = ['aaaaaaaa-0000-4000-8000-000000000001', 'bbbbbbbb-0000-4000-8000-000000000002', 'cccccccc-0000-4000-8000-000000000003'];
const line = (boot: string, seq: number) =>
  `{"level":"info","time":"2026-01-01T00:00:00.000Z","boot":"${boot}","seq":${seq},"fw":"1","commit":"c","unit":"${UNIT}","subsystem":"gnss","n":"${'x'.repeat(seq % 50)}","msg":"m${seq}"}\n`;
const lines = (boot: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(boot, from + i)).join('');
const text = async (r: Readable) => {
  let s = '';
  for await (const c of r) s += String(c);
  return s;
};
const seqs = (s: string) => s.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { seq: number }).seq);

test('log store: boots across rotated, compressed and live files; pages by seq; torn lines skipped', async () => {
  const { dir, cleanup } = await tempDir('segments');
  try {
    await mkdir(dir, { recursive: true });
    // boot A spans .2.gz and .1, A ends with a torn line, B is short, C is live and unfinished.
    await writeFile(join(dir, 'pitwall.log.2.gz'), gzipSync(lines(boots[0]!, 1, 3000)));
    await writeFile(join(dir, 'pitwall.log.1'), `${lines(boots[0]!, 3001, 5000)}${line(boots[0]!, 5001).slice(0, 90)}\n${lines(boots[1]!, 1, 3)}`);
    await writeFile(join(dir, 'pitwall.log'), `${lines(boots[2]!, 1, 4000)}${line(boots[2]!, 4001).slice(0, 40)}`);
    const store = openLogStore(dir);
    const list = await store.boots();
    assert.deepEqual(list.map((b) => [b.boot, b.firstSeq, b.lastSeq]), [[boots[0], 1, 5000], [boots[1], 1, 3], [boots[2], 1, 4000]]);
    const all = seqs(await text(await store.query(boots[0]!, 0, 1_000_000)));
    assert.equal(all.length, 5000);
    all.forEach((s, i) => assert.equal(s, i + 1));
    assert.deepEqual(seqs(await text(await store.query(boots[0]!, 2995, 10))), [2996, 2997, 2998, 2999, 3000, 3001, 3002, 3003, 3004, 3005]);
    assert.deepEqual(seqs(await text(await store.query(boots[2]!, 3998, 100))), [3999, 4000]);
    assert.deepEqual(seqs(await text(await store.query(boots[1]!, 3, 100))), []);
    assert.deepEqual(seqs(await text(await store.query('dddddddd-0000-4000-8000-000000000004', 0, 10))), []);
    assert.deepEqual((await store.tail(boots[0]!, 3)).map((r) => r.seq), [4998, 4999, 5000]);
  } finally {
    await cleanup();
  }
});

// The layout of the logger's pino mixin: seq after the base fields. Files of both layouts sit
// side by side after an update (rotated files keep the old one).
const lineMixin = (boot: string, seq: number) =>
  `{"level":"warn","time":"2026-01-02T00:00:00.000Z","boot":"${boot}","fw":"0.2.0","commit":"abcdef0","unit":"${UNIT}","subsystem":"pipeline","seq":${seq},"n":"${'x'.repeat(seq % 50)}","msg":"m${seq}"}\n`;

test('log store: a boot written with seq after the base fields reads like one written before', async () => {
  const { dir, cleanup } = await tempDir('segments-mixin');
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'pitwall.log.1'), lines(boots[0]!, 1, 2000));
    const live = Array.from({ length: 3000 }, (_, i) => lineMixin(boots[1]!, i + 1)).join('');
    await writeFile(join(dir, 'pitwall.log'), `${live}${lineMixin(boots[1]!, 3001).slice(0, 150)}`);
    const store = openLogStore(dir);
    assert.deepEqual((await store.boots()).map((b) => [b.boot, b.firstSeq, b.lastSeq]), [[boots[0], 1, 2000], [boots[1], 1, 3000]]);
    assert.deepEqual(seqs(await text(await store.query(boots[1]!, 2500, 3))), [2501, 2502, 2503]);
    assert.deepEqual((await store.tail(boots[1]!, 2)).map((r) => r.seq), [2999, 3000]);
  } finally {
    await cleanup();
  }
});
