import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, after, test } from 'node:test';
import { decodeSession } from '@pitwall/protocol';
import { openDatabase } from '../../src/store/database.js';
import { SessionStore } from '../../src/sessions/session-store.js';
import { exportToFile } from '../../src/sessions/export-vbo.js';
import { lapStats } from '../../src/sessions/lap-analysis.js';
import { makeSession, SYNTH_TRACK, type MadeSession } from '../helpers/session-files.js';
import { scratchDir } from '../helpers/units.js';

const scratch = scratchDir('sessions-export');
let made: MadeSession;
let store: SessionStore;
let row: number;
let db: ReturnType<typeof openDatabase>;

before(async () => {
  made = await makeSession(scratch.dir, { unitId: 'unit-x', sessionId: 's-x1', durationS: 200, seed: 9, driver: 'A <b>&"Q"' });
  db = openDatabase(join(scratch.dir, 'db'));
  store = new SessionStore(db, () => [SYNTH_TRACK]);
  row = store.ingest(decodeSession(readFileSync(made.path)), { sha256: made.sha256, unitName: 'Car <7>', sizeB: made.sizeB }).id;
});
after(() => {
  db.close();
  scratch.cleanup();
});

test('GPX 1.1 export of a session and of a lap: well-formed (xmllint), GPX 1.1 structure, element order, escaped text', async () => {
  // The official GPX 1.1 XSD is not shipped in the repo: well-formedness by xmllint plus structural checks.
  const whole = join(scratch.dir, 'all.gpx');
  await exportToFile(store, row, 'gpx', whole);
  const r = spawnSync('xmllint', ['--noout', whole], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const xml = readFileSync(whole, 'utf8');
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<gpx version="1.1" creator="Pitwall" xmlns="http:\/\/www.topografix.com\/GPX\/1\/1"/);
  const laps = store.laps(row);
  assert.equal((xml.match(/<trkseg>/g) ?? []).length, laps.length);
  assert.ok(xml.includes('Car &lt;7&gt;') && xml.includes('A &lt;b&gt;&amp;&quot;Q&quot;'));
  // Schema order inside wptType: ele, time, magvar, ..., fix, sat, hdop.
  assert.match(xml, /<trkpt lat="-?\d+\.\d{7}" lon="-?\d+\.\d{7}"><ele>[-\d.]+<\/ele><time>[^<]+Z<\/time><magvar>[\d.]+<\/magvar><fix>3d<\/fix><sat>14<\/sat><hdop>0\.8<\/hdop><\/trkpt>/);
  const count = execFileSync('xmllint', ['--xpath', 'count(//*[local-name()="trkpt"])', whole], { encoding: 'utf8' });
  assert.ok(Number(count) > 0);
  const one = join(scratch.dir, 'lap2.gpx');
  await exportToFile(store, row, 'gpx', one, 2);
  assert.equal(spawnSync('xmllint', ['--noout', one]).status, 0);
  const pts = Number(execFileSync('xmllint', ['--xpath', 'count(//*[local-name()="trkpt"])', one], { encoding: 'utf8' }));
  assert.ok(Math.abs(pts - (laps[1]!.timeMs / 1000) * 25) <= 2, `lap 2 has ${pts} points`);
});

test('CSV and VBO exports of a session and of a lap', async () => {
  const csv = join(scratch.dir, 's.csv');
  await exportToFile(store, row, 'csv', csv);
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'time_utc,t_ms,lat,lon,alt_m,speed_kmh,course_deg,sats,hdop,fix,accel_x,accel_y,accel_z,gyro_x,gyro_y,gyro_z');
  assert.equal(lines.length - 1, 200 * 25 + 1);
  assert.equal(lines[1]!.split(',').length, 16);
  const vbo = join(scratch.dir, 'lap1.vbo');
  await exportToFile(store, row, 'vbo', vbo, 1);
  const text = readFileSync(vbo, 'utf8');
  assert.ok(text.startsWith('File created on'), text.slice(0, 40));
  assert.ok(text.includes('[data]'));
  await assert.rejects(exportToFile(store, row, 'vbo', vbo, 99), /no lap 99/);
});

test('lap statistics: best, theoretical best from best sectors, consistency', () => {
  const s = lapStats([
    { timeMs: 60_000, sectorsMs: [30_000, 30_000] },
    { timeMs: 59_000, sectorsMs: [30_500, 28_500] },
    { timeMs: 61_000, sectorsMs: [29_000, 32_000] },
  ]);
  assert.equal(s.bestIndex, 1);
  assert.equal(s.theoreticalBestMs, 57_500);
  assert.ok(Math.abs(s.consistencyMs! - 816.5) < 0.1);
});
