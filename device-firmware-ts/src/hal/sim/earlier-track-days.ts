/**
 * A simulated unit's past, as its receiver would have given it: earlier track days replayed
 * from recordings, one drive each, dated a week apart and ending before the day the unit
 * replays, each ending with the car parked in the pits. The runtime drives them through the
 * unit's own data path at its first boot (pipeline/earlier-drives.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRecording, shiftSentenceTime, type Recording } from './nmea-recording.js';
import { withPitStop } from './pit-stop.js';

const DAY_MS = 86_400_000;
const DAYS_APART = 7;

export interface EarlierTrackDaysOptions {
  /** How many track days. */
  days: number;
  /** The recording the unit replays: the latest earlier day is at its venue, a week before its date. */
  replayed: string;
  /** Where the other venues' recordings are (every `.nmea` there). */
  recordingsDir: string;
  /** How long the car stands in the pits at the end of each day, seconds. */
  parkedS: number;
}

/** The UTC day number of a recording's first RMC date. */
function firstDay(rec: Recording, path: string): number {
  for (const e of rec.epochs) {
    for (const line of e.lines) {
      const d = /^\$..RMC,[^,]*,[^,]*,(?:[^,]*,){6}(\d{2})(\d{2})(\d{2}),/.exec(line);
      if (d) return Date.UTC(2000 + Number(d[3]), Number(d[2]) - 1, Number(d[1])) / DAY_MS;
    }
  }
  throw new Error(`${path}: no RMC date to place a track day by`);
}

/** The recordings of the days, oldest first: the latest at the replayed venue, the others before it in turn. */
async function dayRecordings(o: EarlierTrackDaysOptions): Promise<string[]> {
  const shipped = (await readdir(o.recordingsDir)).filter((f) => f.endsWith('.nmea')).sort().map((f) => join(o.recordingsDir, f));
  const venues = [o.replayed, ...shipped.filter((f) => f !== o.replayed)];
  return Array.from({ length: o.days }, (_, i) => venues[i % venues.length]!).reverse();
}

/** The NMEA lines of each earlier day, oldest first. */
export async function earlierTrackDays(o: EarlierTrackDaysOptions): Promise<string[][]> {
  if (o.days <= 0) return [];
  const read = async (path: string) => parseRecording(await readFile(path, 'latin1'));
  const lastDay = firstDay(await read(o.replayed), o.replayed);
  const paths = await dayRecordings(o);
  const days: string[][] = [];
  for (const [i, path] of paths.entries()) {
    const rec = await read(path);
    const shiftMs = (lastDay - DAYS_APART * (paths.length - i) - firstDay(rec, path)) * DAY_MS;
    days.push(withPitStop(rec, o.parkedS).epochs.flatMap((e) => e.lines.map((l) => shiftSentenceTime(l, shiftMs))));
  }
  return days;
}
