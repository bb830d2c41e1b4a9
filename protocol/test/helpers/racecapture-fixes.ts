// Test-only: RaceCapture/Pro log (sparse CSV) to timing fixes.
import type { TimingFix } from '../../src/timing/index.js';

const MPH_MPS = 0.44704;

export interface RaceCaptureLog {
  fixes: TimingFix[];
  /** Lap times the logger itself recorded (LapTime column, minutes -> ms), in lap order. */
  loggedLapsMs: number[];
}

/**
 * Header cells are `"Name"|"Units"|min|max|rateHz`; slower channels are blank between their
 * samples. A row with a Latitude is a GPS sample, stamped with the receiver's `Utc`. The logger
 * writes GPS rows on its own 10 Hz tick, so a late receiver epoch shows up as the previous
 * position written again (with a `Utc` that then repeats or steps back): such stale repeats are
 * dropped. The `Interval` tick is not used for time: it is when the row was written, not when
 * the position was measured (timing with it is off by up to 130 ms per lap).
 */
export function raceCaptureFixes(text: string): RaceCaptureLog {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const names = lines[0]!.split(',').map((cell) => cell.split('|')[0]!.replace(/"/g, ''));
  const col = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`no ${name} column`);
    return i;
  };
  const [iUtc, iLat, iLon, iSpeed, iLapCount, iLapTime] = ['Utc', 'Latitude', 'Longitude', 'Speed', 'LapCount', 'LapTime'].map(col) as [
    number, number, number, number, number, number,
  ];
  const fixes: TimingFix[] = [];
  const loggedLapsMs: number[] = [];
  let lapCount = 0;
  let previous = '';
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    if (!cells[iLat] || !cells[iLon]) continue;
    const lat = Number(cells[iLat]);
    const lon = Number(cells[iLon]);
    const position = `${cells[iLat]},${cells[iLon]}`;
    const stale = position === previous;
    previous = position;
    if (!stale && !(lat === 0 && lon === 0)) fixes.push({ t: Number(cells[iUtc]), lat, lon, speedMps: Number(cells[iSpeed]) * MPH_MPS });
    const count = Number(cells[iLapCount]);
    if (count > lapCount) {
      lapCount = count;
      loggedLapsMs.push(Number(cells[iLapTime]) * 60_000);
    }
  }
  return { fixes, loggedLapsMs };
}
