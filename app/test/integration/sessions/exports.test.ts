import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeSession, timeLaps, type SessionFix } from '@pitwall/protocol';
import { openDatabase } from '../../../src/store/database.js';
import { SessionStore } from '../../../src/sessions/session-store.js';
import { exportToFile } from '../../../src/sessions/session-export.js';
import { gpxLines } from '../../../src/sessions/export-gpx.js';
import { lapStats } from '../../../src/sessions/lap-analysis.js';
import { makeSession, SYNTH_TRACK, type MadeSession } from '../../helpers/session-files.js';
import { scratchDir } from '../../helpers/units.js';

const GPX_XSD = fileURLToPath(new URL('../../../../resources/schemas/gpx-1.1.xsd', import.meta.url));
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

/** `xmllint --schema` against the GPX 1.1 XSD (no network: the schemaLocation URL is never fetched). */
function validateGpx(file: string): { ok: boolean; out: string } {
  const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', GPX_XSD, file], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

test('GPX 1.1 export of a session and of a lap: valid against the GPX 1.1 schema (xmllint), element order, escaped text', async () => {
  const whole = join(scratch.dir, 'all.gpx');
  await exportToFile(store, row, 'gpx', whole);
  const v = validateGpx(whole);
  assert.ok(v.ok, v.out);
  assert.match(v.out, /validates/);
  const xml = readFileSync(whole, 'utf8');
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<gpx version="1.1" creator="Pitwall" xmlns="http:\/\/www.topografix.com\/GPX\/1\/1"/);
  const laps = store.laps(row);
  assert.equal((xml.match(/<trkseg>/g) ?? []).length, laps.length);
  assert.ok(xml.includes('Car &lt;7&gt;') && xml.includes('A &lt;b&gt;&amp;&quot;Q&quot;'));
  // Schema order inside wptType: ele, time, ..., fix, sat, hdop, ..., extensions; speed and course in the extension.
  assert.match(
    xml,
    /<trkpt lat="-?\d+\.\d{7}" lon="-?\d+\.\d{7}"><ele>[-\d.]+<\/ele><time>[^<]+Z<\/time><fix>3d<\/fix><sat>14<\/sat><hdop>0\.8<\/hdop><extensions><gpxtpx:TrackPointExtension><gpxtpx:speed>[\d.]+<\/gpxtpx:speed><gpxtpx:course>[\d.]+<\/gpxtpx:course><\/gpxtpx:TrackPointExtension><\/extensions><\/trkpt>/,
  );
  assert.ok(!xml.includes('<magvar>'), 'the course is not written as magnetic variation');
  const count = execFileSync('xmllint', ['--xpath', 'count(//*[local-name()="trkpt"])', whole], { encoding: 'utf8' });
  assert.ok(Number(count) > 0);
  const one = join(scratch.dir, 'lap2.gpx');
  await exportToFile(store, row, 'gpx', one, 2);
  const v1 = validateGpx(one);
  assert.ok(v1.ok, v1.out);
  const pts = Number(execFileSync('xmllint', ['--xpath', 'count(//*[local-name()="trkpt"])', one], { encoding: 'utf8' }));
  assert.ok(Math.abs(pts - (laps[1]!.timeMs / 1000) * 25) <= 2, `lap 2 has ${pts} points`);
});

test('the GPX schema check can fail: invalid variants of a real export are rejected', async () => {
  const good = join(scratch.dir, 'lap1.gpx');
  await exportToFile(store, row, 'gpx', good, 1);
  const xml = readFileSync(good, 'utf8');
  assert.ok(validateGpx(good).ok);
  const once = (from: RegExp, to: string) => {
    const out = xml.replace(from, to);
    assert.notEqual(out, xml, `${from} changes the file`);
    return out;
  };
  const variants: Record<string, string> = {
    'time before ele': once(/<ele>([^<]*)<\/ele><time>([^<]*)<\/time>/, '<time>$2</time><ele>$1</ele>'),
    'latitude 91': once(/lat="[^"]*"/, 'lat="91.0000000"'),
    'longitude 180': once(/lon="[^"]*"/, 'lon="180.0000000"'),
    'magvar 360': once(/<fix>/, '<magvar>360.00</magvar><fix>'),
    'fix type 4d': once(/<fix>3d<\/fix>/, '<fix>4d</fix>'),
    'no creator': once(/ creator="Pitwall"/, ''),
    'version 1.0': once(/version="1.1"/, 'version="1.0"'),
    'unknown GPX element': once(/<sat>/, '<speed>1</speed><sat>'),
  };
  for (const [what, text] of Object.entries(variants)) {
    const file = join(scratch.dir, 'bad.gpx');
    writeFileSync(file, text);
    const v = validateGpx(file);
    assert.ok(!v.ok, `${what}: accepted`);
    assert.match(v.out, /fails to validate/, what);
  }
});

test('GPX edge values stay inside the schema: course 359.996, longitude 179.99999999, no position skipped', () => {
  const f = (t: number, lon: number, courseDeg: number | null, lat: number | null = 45): SessionFix => ({ t, fix: '3d', lat, lon, altM: null, speedMps: 0, courseDeg, satellites: 9, hdop: null });
  const file = join(scratch.dir, 'edges.gpx');
  writeFileSync(file, [...gpxLines({ name: 'edges', segments: [[f(0, 179.99999999, 359.996), f(100, -180, -0.001), f(200, 0, null, null), f(300, 12.5, 720)]] })].join(''));
  const v = validateGpx(file);
  assert.ok(v.ok, v.out);
  const xml = readFileSync(file, 'utf8');
  assert.equal((xml.match(/<trkpt /g) ?? []).length, 3);
  assert.deepEqual([...xml.matchAll(/<gpxtpx:course>([^<]*)</g)].map((m) => m[1]), ['0.00', '0.00', '0.00']);
  assert.deepEqual([...xml.matchAll(/ lon="([^"]*)"/g)].map((m) => m[1]), ['-180.0000000', '-180.0000000', '12.5000000']);
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

test('VBO export carries the track\'s gates in [laptiming]; timing the file\'s own rows through them gives the stored laps', async () => {
  const file = join(scratch.dir, 'gates.vbo');
  await exportToFile(store, row, 'vbo', file);
  const text = readFileSync(file, 'utf8');
  const section = (name: string) => text.split(`\r\n[${name}]\r\n`)[1]!.split('\r\n\r\n')[0]!.split('\r\n');
  // A VBO reader's view: gates as lon(west +) lat lon lat in minutes; data rows sats time lat long ...
  const line = (gate: string) => {
    const [, lonA, latA, lonB, latB] = gate.split(' ').map(Number);
    return { a: { lat: latA! / 60, lon: -lonA! / 60 }, b: { lat: latB! / 60, lon: -lonB! / 60 } };
  };
  const gates = section('laptiming');
  assert.equal(gates.length, 1 + SYNTH_TRACK.sectors!.length);
  assert.match(gates[0]!, /^Start [+-]\d+\.\d{6} [+-]\d+\.\d{6} [+-]\d+\.\d{6} [+-]\d+\.\d{6} \u00ac StartFinish$/);
  assert.match(gates[1]!, /^Split .* \u00ac Split 1$/);
  const startFinish = line(gates[0]!);
  for (const k of ['a', 'b'] as const) {
    assert.ok(Math.abs(startFinish[k].lat - SYNTH_TRACK.startFinish[k].lat) < 1e-8 && Math.abs(startFinish[k].lon - SYNTH_TRACK.startFinish[k].lon) < 1e-8, `start/finish ${k}`);
  }
  const fromFile = { id: 'from-vbo', venue: 'file', layout: 'file', startFinish, sectors: gates.slice(1).map(line), lengthM: SYNTH_TRACK.lengthM, origin: SYNTH_TRACK.origin };
  // One point per fix: the rows where the position changes (rows at the IMU rate repeat the last fix).
  const points: { t: number; lat: number; lon: number }[] = [];
  let last = '';
  for (const r of section('data').filter((x) => x.trim() !== '')) {
    const [, time, lat, lon] = r.split(' ');
    if (`${lat} ${lon}` === last) continue;
    last = `${lat} ${lon}`;
    const t = Number(time!.slice(0, 2)) * 3_600_000 + Number(time!.slice(2, 4)) * 60_000 + Number(time!.slice(4)) * 1000;
    points.push({ t, lat: Number(lat) / 60, lon: -Number(lon) / 60 });
  }
  const timed = timeLaps(points, fromFile).laps;
  const stored = store.laps(row);
  assert.equal(timed.length, stored.length);
  // Row times are kept to 10 ms: each crossing moves by at most 5 ms.
  timed.forEach((l, i) => assert.ok(Math.abs(l.timeMs - stored[i]!.timeMs) <= 10, `lap ${i + 1}: ${l.timeMs} from the file, ${stored[i]!.timeMs} stored`));
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
