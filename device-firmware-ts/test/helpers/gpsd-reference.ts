/**
 * The comparison recipe of testdata/gpsd-nmea/README.md (section 7): gpsd's final TPV per
 * time against this decoder's fixes, with the tolerances of one unit of gpsd's last printed digit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NmeaDecoder, type GnssFix } from '../../src/index.js';
import { testData } from './paths.js';

export const gpsdDir = join(testData, 'gpsd-nmea');
/** gpsd moves dates before 2017 of logs without a `# Date:` line forward by 1024 GPS weeks. */
const WEEKS_1024_MS = 619_315_200_000;

export interface Tpv {
  mode: number;
  time?: string;
  status?: number;
  lat?: number;
  lon?: number;
  altMSL?: number;
  speed?: number;
  track?: number;
  dgpsAge?: number;
  dgpsSta?: number;
}

export interface Mismatch {
  log: string;
  time: string;
  field: string;
  ours: unknown;
  gpsd: unknown;
}

export interface LogComparison {
  log: string;
  /** Sentences this decoder framed as valid, and gpsd's echo lines, in stream order. */
  framed: string[];
  echoed: string[];
  /** gpsd epochs with a time (last TPV per time). */
  refEpochs: number;
  /** Void TPVs skipped for carrying a stale time (see readReference). */
  staleVoid: number;
  /** gpsd epochs with a fix joined to one of ours by time. */
  compared: number;
  /** Our fixes (date known) at a time for which gpsd printed no TPV. */
  oursOnly: number;
  /** Per-field comparison counts. */
  fields: Record<string, { compared: number; matched: number }>;
  mismatches: Mismatch[];
}

export function readLog(name: string): string[] {
  return readFileSync(join(gpsdDir, name), 'latin1')
    .split('\n')
    .filter((l) => !l.startsWith('#'));
}

const TIMED = /^[$]..(?:(RMC|GGA|GNS),|GLL,[^,]*,[^,]*,[^,]*,[^,]*,)(\d{2})(\d{2})(\d{2}(?:\.\d+)?)/;

/**
 * gpsd's `.chk`: echo lines, and the last TPV per time. A void (mode < 2) TPV that follows a
 * sentence of another time of day carries gpsd's stale time of the previous fix, not this
 * epoch's: it would overwrite that fix's reference, so it is counted in `staleVoid` instead.
 */
export function readReference(name: string): { echoes: string[]; tpvByTime: Map<string, Tpv>; staleVoid: number } {
  const echoes: string[] = [];
  const tpvByTime = new Map<string, Tpv>();
  let staleVoid = 0;
  let lastTod: number | null = null;
  for (const raw of readFileSync(join(gpsdDir, `${name}.chk`), 'latin1').split('\n')) {
    const line = raw.replace(/\r+$/, '');
    if (line.startsWith('$') || line.startsWith('!')) {
      echoes.push(line);
      const m = TIMED.exec(line);
      if (m) lastTod = Number(m[2]) * 3_600_000 + Number(m[3]) * 60_000 + Math.round(Number(m[4]) * 1000);
    } else if (line.startsWith('{"class":"TPV"')) {
      const tpv = JSON.parse(line) as Tpv;
      if (!tpv.time) continue;
      const tod = Date.parse(tpv.time) % 86_400_000;
      if (tpv.mode < 2 && lastTod !== null && tod !== lastTod) staleVoid++;
      else tpvByTime.set(tpv.time, tpv);
    }
  }
  return { echoes, tpvByTime, staleVoid };
}

const foldKey = (ms: number) => new Date(((ms % WEEKS_1024_MS) + WEEKS_1024_MS) % WEEKS_1024_MS).toISOString();
const normStatus = (s: number | undefined) => (s === undefined || s <= 1 ? 1 : s);

export function compareLog(name: string): LogComparison {
  const framed: string[] = [];
  const decoder = new NmeaDecoder({ fallbackDate: () => 0, onSentence: (t) => framed.push(t) });
  const fixes: GnssFix[] = [];
  for (const line of readLog(name)) fixes.push(...decoder.push(line));
  fixes.push(...decoder.flush());
  const ours = new Map<string, GnssFix>();
  for (const f of fixes) if (f.dateKnown) ours.set(foldKey(f.timeMs), f);

  const { echoes, tpvByTime, staleVoid } = readReference(name);
  const result: LogComparison = { log: name, framed, echoed: echoes, refEpochs: tpvByTime.size, staleVoid, oursOnly: 0, compared: 0, fields: {}, mismatches: [] };
  const check = (time: string, field: string, ok: boolean, o: unknown, g: unknown) => {
    const c = (result.fields[field] ??= { compared: 0, matched: 0 });
    c.compared++;
    if (ok) c.matched++;
    else result.mismatches.push({ log: name, time, field, ours: o, gpsd: g });
  };
  const refKeys = new Set([...tpvByTime.keys()].map((t) => foldKey(Date.parse(t))));
  for (const [key, f] of ours) if (f.fix !== 'none' && !refKeys.has(key)) result.oursOnly++;
  for (const [time, tpv] of tpvByTime) {
    const f = ours.get(foldKey(Date.parse(time)));
    const gpsdFix = tpv.mode >= 2;
    if (!f) {
      if (gpsdFix) check(time, 'epoch', false, 'missing', tpv.mode);
      continue;
    }
    const ourFix = f.fix !== 'none';
    check(time, 'fix', ourFix === gpsdFix, f.fix, tpv.mode);
    if (!gpsdFix || !ourFix) continue;
    result.compared++;
    const near = (field: string, o: number | null, g: number | undefined, tol: number) => {
      if (o !== null && g !== undefined) check(time, field, Math.abs(o - g) <= tol * (1 + 1e-6), o, g);
    };
    near('lat', f.lat, tpv.lat, 1e-9);
    near('lon', f.lon, tpv.lon, 1e-9);
    near('altMSL', f.altM, tpv.altMSL, 1e-4);
    near('speed', f.speedMps, tpv.speed, 1e-3);
    near('track', f.courseDeg, tpv.track, 1e-4);
    check(time, 'status', normStatus(f.status) === normStatus(tpv.status), f.status, tpv.status);
    if (tpv.dgpsAge !== undefined) check(time, 'dgpsAge', f.dgpsAgeS === tpv.dgpsAge, f.dgpsAgeS, tpv.dgpsAge);
    if (tpv.dgpsSta !== undefined) check(time, 'dgpsSta', f.dgpsStation === tpv.dgpsSta, f.dgpsStation, tpv.dgpsSta);
  }
  return result;
}
