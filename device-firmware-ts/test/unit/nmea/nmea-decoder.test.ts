import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NmeaDecoder, parseSentence, withChecksum, type GnssFix } from '../../../src/index.js';
import { testData } from '../../helpers/paths.js';
import { prng, pick } from '../../helpers/prng.js';

const gpsd = join(testData, 'gpsd-nmea');
const readLines = (name: string) => readFileSync(join(gpsd, name), 'latin1').split('\n');

function decodeAll(lines: string[], decoder = new NmeaDecoder({ fallbackDate: () => 0 })): { fixes: GnssFix[]; decoder: NmeaDecoder } {
  const fixes: GnssFix[] = [];
  for (const l of lines) fixes.push(...decoder.push(l));
  fixes.push(...decoder.flush());
  return { fixes, decoder };
}

test('parses real GGA, RMC, GSA, VTG lines from a u-blox capture', () => {
  const gga = parseSentence('$GNGGA,000941.00,4404.13387,N,12118.85628,W,1,12,1.01,1144.8,M,-21.4,M,,*4D');
  assert.equal(gga.status, 'ok');
  assert.ok(gga.status === 'ok' && gga.sentence.kind === 'GGA');
  assert.equal(gga.sentence.satellites, 12);
  assert.equal(gga.sentence.hdop, 1.01);
  assert.equal(gga.sentence.altM, 1144.8);
  assert.ok(Math.abs((gga.sentence.lat as number) - 44.068897833) < 1e-8);
  assert.ok(Math.abs((gga.sentence.lon as number) - -121.314271333) < 1e-8);
  assert.equal(gga.sentence.time?.msOfDay, (9 * 60 + 41) * 1000);

  const rmc = parseSentence('$GNRMC,000941.00,A,4404.13387,N,12118.85628,W,0.029,,100117,,,A*7D');
  assert.ok(rmc.status === 'ok' && rmc.sentence.kind === 'RMC');
  assert.equal(rmc.sentence.valid, true);
  assert.equal(rmc.sentence.date, Date.UTC(2017, 0, 10) / 86_400_000);
  assert.ok(Math.abs((rmc.sentence.speedMps as number) - 0.029 * 0.514444) < 1e-5);

  const gsa = parseSentence('$GNGSA,A,3,23,09,16,07,26,03,27,22,,,,,1.71,1.01,1.38*1B');
  assert.ok(gsa.status === 'ok' && gsa.sentence.kind === 'GSA');
  assert.equal(gsa.sentence.mode, 3);
  assert.equal(gsa.sentence.satellitesUsed, 8);

  const vtg = parseSentence('$GNVTG,,T,,M,0.029,N,0.053,K,A*30');
  assert.ok(vtg.status === 'ok' && vtg.sentence.kind === 'VTG');
  // Knots, as gpsd reads VTG: the km/h field often has fewer decimals.
  assert.ok(Math.abs((vtg.sentence.speedMps as number) - (0.029 * 1852) / 3600) < 1e-12);
});

test('bad checksums are counted, not thrown, and unknown sentences are ignored', () => {
  const d = new NmeaDecoder();
  assert.deepEqual(d.push('$GNGGA,000941.00,4404.13387,N,12118.85628,W,1,12,1.01,1144.8,M,-21.4,M,,*4E'), []);
  assert.deepEqual(d.push('$PUBX,00,000941.00*00'), []);
  assert.deepEqual(d.push(withChecksum('GPXYZ,1,2,3')), []);
  d.push(withChecksum('PMTK001,604,3'));
  d.push('garbage without dollar');
  assert.deepEqual(d.counters, { accepted: 0, badChecksum: 2, ignored: 3 });
});

test('all the talkers of multi-constellation receivers are understood', () => {
  for (const talker of ['GP', 'GN', 'GL', 'GA', 'GB', 'BD', 'QZ']) {
    const r = parseSentence(withChecksum(`${talker}GSV,1,1,03,01,40,083,46,02,17,308,41,12,07,344,39`));
    assert.ok(r.status === 'ok' && r.sentence.kind === 'GSV' && r.sentence.inView === 3, talker);
  }
  assert.equal(parseSentence(withChecksum('XXGSV,1,1,03')).status, 'ignored');
});

test('epochs merge GGA + RMC + GSA into one fix, emitted without waiting for the next epoch', () => {
  const d = new NmeaDecoder();
  const lines = [
    '$GPGGA,120000.00,3717.77493,N,12712.39097,E,1,09,0.90,262.0,M,18.4,M,,',
    '$GPRMC,120000.00,A,3717.77493,N,12712.39097,E,80.000,45.00,180524,,,A',
    '$GPGSA,A,3,02,05,07,09,13,15,18,20,23,,,,1.44,0.90,1.17',
    '$GPGGA,120000.10,3717.77600,N,12712.39200,E,1,09,0.90,262.0,M,18.4,M,,',
    '$GPRMC,120000.10,A,3717.77600,N,12712.39200,E,81.000,45.50,180524,,,A',
  ].map((l) => withChecksum(l.slice(1)));
  const out = lines.map((l) => d.push(l).length);
  // The first epoch is only known complete once the second begins; the second is emitted on its RMC.
  assert.deepEqual(out, [0, 0, 0, 1, 1]);
  const { fixes } = decodeAll(lines);
  assert.equal(fixes.length, 2);
  const f = fixes[1] as GnssFix;
  assert.equal(f.fix, '3d');
  assert.equal(f.satellites, 9);
  assert.equal(new Date(f.timeMs).toISOString(), '2024-05-18T12:00:00.100Z');
  assert.ok(Math.abs((f.speedMps as number) - 81 * 0.514444) < 1e-3);
  assert.equal(f.courseDeg, 45.5);
});

test('no-fix epochs decode as fix "none" without a position', () => {
  const { fixes } = decodeAll([withChecksum('GPGGA,020000.00,,,,,0,00,99.99,,M,,M,,'), withChecksum('GPRMC,020000.00,V,,,,,,,180524,,,N')]);
  assert.equal(fixes.length, 1);
  assert.equal(fixes[0]?.fix, 'none');
  assert.equal(fixes[0]?.lat, null);
});

test('satellites in view are summed over constellations from complete GSV cycles', () => {
  const d = new NmeaDecoder();
  for (const l of ['GPGSV,2,1,08,01,40,083,46,02,17,308,41,12,07,344,39,14,22,228,45', 'GPGSV,2,2,08,15,40,083,46,16,17,308,41,17,07,344,39,18,22,228,45', 'GLGSV,1,1,03,65,40,083,46,66,17,308,41,67,07,344,39'])
    d.push(withChecksum(l));
  assert.equal(d.satellitesInView, 11);
});

/** gpsd's own decoding of each capture: the lat/lon of every TPV report it made. */
function gpsdPositions(name: string): { lat: number; lon: number }[] {
  const out: { lat: number; lon: number }[] = [];
  for (const line of readFileSync(join(gpsd, `${name}.chk`), 'utf8').split('\n')) {
    if (!line.startsWith('{"class":"TPV"')) continue;
    const tpv = JSON.parse(line) as { lat?: number; lon?: number };
    if (typeof tpv.lat === 'number' && typeof tpv.lon === 'number') out.push({ lat: tpv.lat, lon: tpv.lon });
  }
  return out;
}

test('positions agree with gpsd on real captures from several receivers', () => {
  const logs = ['ublox-8.log', 'mt3339.log', 'bu353-glonass.log', 'beidou-gb.log', 'sirfstarv-nmea.log', 'ublox-zed-f9p-nmea.log'];
  for (const name of logs) {
    const { fixes, decoder } = decodeAll(readLines(name));
    const positioned = fixes.filter((f) => f.fix !== 'none');
    assert.ok(positioned.length > 0, `${name}: no fixes`);
    assert.ok(decoder.counters.accepted > 0, `${name}: nothing accepted`);
    const ref = gpsdPositions(name);
    let matched = 0;
    for (const f of positioned) {
      if (ref.some((r) => Math.abs(r.lat - (f.lat as number)) < 1e-6 && Math.abs(r.lon - (f.lon as number)) < 1e-6)) matched++;
    }
    assert.ok(matched / positioned.length >= 0.95, `${name}: only ${matched}/${positioned.length} fixes match a gpsd TPV position`);
  }
});

test('every gpsd capture (garbage, splices, bad checksums included) decodes without throwing', () => {
  const logs = readdirSync(gpsd).filter((f) => f.endsWith('.log'));
  assert.ok(logs.length >= 50);
  let total = 0;
  let bad = 0;
  for (const name of logs) {
    const { fixes, decoder } = decodeAll(readLines(name));
    total += fixes.length;
    bad += decoder.counters.badChecksum;
    for (const f of fixes) {
      assert.ok(Number.isFinite(f.timeMs), name);
      if (f.lat !== null) assert.ok(Math.abs(f.lat) <= 90 && Math.abs(f.lon as number) <= 180, name);
    }
  }
  assert.ok(total > 1000, `only ${total} fixes`);
  assert.ok(bad > 0, 'the corpus holds bad checksums; none were counted');
});

test('fuzz: 200k random and mutated lines never throw and stay fast', () => {
  const rand = prng(0x5eed);
  const corpus = readdirSync(gpsd)
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) => readLines(f))
    .filter((l) => l.includes('$'));
  const alphabet = '$*,.0123456789ABCDEFNSEWGPRMCVTAKMnul\r\n\u0000\uffff-';
  const d = new NmeaDecoder();
  const started = performance.now();
  let fixes = 0;
  for (let i = 0; i < 200_000; i++) {
    let line: string;
    const mode = rand();
    if (mode < 0.2) {
      line = Array.from({ length: Math.floor(rand() * 100) }, () => pick(rand, [...alphabet])).join('');
    } else {
      const chars = [...pick(rand, corpus)];
      const edits = 1 + Math.floor(rand() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * (chars.length + 1));
        const r = rand();
        if (r < 0.33) chars.splice(at, 1);
        else if (r < 0.66) chars.splice(at, 0, pick(rand, [...alphabet]));
        else chars[at] = pick(rand, [...alphabet]);
      }
      line = chars.join('');
      // Recompute the checksum half the time so mutations reach the field parsers.
      if (rand() < 0.5) {
        const s = line.indexOf('$');
        const star = line.indexOf('*', s);
        if (s >= 0 && star > s) line = withChecksum(line.slice(s + 1, star));
      }
    }
    fixes += d.push(line).length;
  }
  const ms = performance.now() - started;
  assert.ok(ms < 20_000, `fuzz took ${ms.toFixed(0)} ms`);
  const c = d.counters;
  assert.equal(c.accepted + c.badChecksum + c.ignored, 200_000);
  assert.ok(c.accepted > 1000 && c.badChecksum > 1000 && c.ignored > 1000, JSON.stringify(c));
  assert.ok(fixes >= 0);
});

test('fuzz: 2 MB of mutated serial stream in random chunks, no newline for long stretches, never throws', () => {
  const rand = prng(0xc0ffee);
  const source = readdirSync(gpsd)
    .filter((f) => f.endsWith('.log'))
    .map((f) => readFileSync(join(gpsd, f), 'latin1'))
    .join('');
  const d = new NmeaDecoder({ fallbackDate: () => 0 });
  let fed = 0;
  let fixes = 0;
  const started = performance.now();
  while (fed < 2_000_000) {
    const at = Math.floor(rand() * (source.length - 600));
    let chunk = source.slice(at, at + 1 + Math.floor(rand() * 600));
    if (rand() < 0.3) chunk = chunk.replace(/\n/g, ''); // a line that never ends
    if (rand() < 0.2) chunk = chunk.replace(/[0-9]/, () => String.fromCharCode(Math.floor(rand() * 256)));
    fixes += d.pushChunk(chunk).length;
    fed += chunk.length;
  }
  fixes += d.flush().length;
  assert.ok(performance.now() - started < 20_000);
  assert.ok(fixes > 100 && d.counters.accepted > 1000, `${fixes} fixes`);
});

test('GLL, GNS, ZDA and GST decode to spec', () => {
  const gll = parseSentence('$GPGLL,4808.9993,N,01135.0798,E,000345.03,A,A*66');
  assert.ok(gll.status === 'ok' && gll.sentence.kind === 'GLL');
  assert.equal(gll.sentence.time?.msOfDay, 3 * 60_000 + 45_030);
  assert.equal(gll.sentence.valid, true);
  const gns = parseSentence('$GNGNS,043539.00,4333.190206,N,00127.618380,E,AAAAN,14,1.3,250.8,50.0,,,V*62');
  assert.ok(gns.status === 'ok' && gns.sentence.kind === 'GNS');
  assert.equal(gns.sentence.altM, 250.8);
  assert.equal(gns.sentence.geoidSepM, 50.0);
  assert.equal(gns.sentence.satellites, 14);
  const zda = parseSentence('$GPZDA,131519.00,03,02,2016,00,00*6C');
  assert.ok(zda.status === 'ok' && zda.sentence.kind === 'ZDA');
  assert.equal(zda.sentence.date, Date.UTC(2016, 1, 3) / 86_400_000);
  const gst = parseSentence('$GPGST,131519.00,11,,,,0.70,0.49,1.1*53');
  assert.ok(gst.status === 'ok' && gst.sentence.kind === 'GST');
  assert.deepEqual([gst.sentence.rmsM, gst.sentence.majorM, gst.sentence.latErrM, gst.sentence.lonErrM, gst.sentence.altErrM], [11, null, 0.7, 0.49, 1.1]);
});

test('midnight: the time of day wraps and the date advances, also on GGA-only epochs', () => {
  const lines = [
    'GPRMC,235959.80,A,3717.77493,N,12712.39097,E,80.0,45.0,311224,,,A',
    'GPGGA,235959.80,3717.77493,N,12712.39097,E,1,09,0.90,262.0,M,18.4,M,,',
    'GPGGA,235959.90,3717.77500,N,12712.39100,E,1,09,0.90,262.0,M,18.4,M,,',
    'GPGGA,000000.00,3717.77510,N,12712.39110,E,1,09,0.90,262.0,M,18.4,M,,',
    'GPGGA,000000.10,3717.77520,N,12712.39120,E,1,09,0.90,262.0,M,18.4,M,,',
  ].map(withChecksum);
  const { fixes } = decodeAll(lines);
  assert.deepEqual(
    fixes.map((f) => new Date(f.timeMs).toISOString()),
    ['2024-12-31T23:59:59.800Z', '2024-12-31T23:59:59.900Z', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.100Z'],
  );
  assert.ok(fixes.every((f) => f.dateKnown));
});

test('a packet spliced into another is recovered, like gpsd does, and both halves joined', () => {
  const seen: string[] = [];
  const d = new NmeaDecoder({ onSentence: (s) => seen.push(s) });
  d.push('$GPGSV,4,1,15,02,11,115,36,0$PTNTA,20160203131539,2,T4,000000066,+107,3,0,3*18\r');
  d.push('5,34,060,48,07,00,023,,13,56,090,49*71\r');
  assert.deepEqual(seen, ['$PTNTA,20160203131539,2,T4,000000066,+107,3,0,3*18', '$GPGSV,4,1,15,02,11,115,36,05,34,060,48,07,00,023,,13,56,090,49*71']);
});
