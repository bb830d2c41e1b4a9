/** An NMEA recording as epochs, and moving sentences in time (for loops and earlier days). */
import { nmeaChecksum } from '../../pipeline/nmea-sentence.js';

const DAY_MS = 86_400_000;
const TIME_FIELD = /^\$(..)(GGA|RMC),(\d{2})(\d{2})(\d{2})(\.\d+)?,/;

export interface ReplayEpoch {
  /** Recording time relative to the first epoch, ms. */
  offsetMs: number;
  lines: string[];
}

export interface Recording {
  epochs: ReplayEpoch[];
  /** One pass of the recording plus one epoch interval, ms. */
  durationMs: number;
}

/** Splits a recording into epochs at each new GGA/RMC time; lines before the first time join it. */
export function parseRecording(text: string): Recording {
  const epochs: ReplayEpoch[] = [];
  let pending: string[] = [];
  let base: number | null = null;
  let lastAbs: number | null = null;
  let dayCarry = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith('$')) continue;
    const m = TIME_FIELD.exec(line);
    if (m) {
      let t = (Number(m[3]) * 3600 + Number(m[4]) * 60 + Number(m[5])) * 1000 + Math.round(Number(m[6] ?? 0) * 1000) + dayCarry;
      if (lastAbs !== null && t < lastAbs - DAY_MS / 2) {
        dayCarry += DAY_MS; // midnight
        t += DAY_MS;
      }
      base ??= t;
      if (lastAbs === null || t !== lastAbs) {
        epochs.push({ offsetMs: t - base, lines: pending });
        pending = [];
        lastAbs = t;
      }
    }
    (epochs.at(-1)?.lines ?? pending).push(line);
  }
  if (epochs.length === 0) throw new Error('recording has no GGA or RMC sentence with a time');
  const last = epochs.at(-1) as ReplayEpoch;
  const step = epochs.length > 1 ? Math.max(1, Math.round(last.offsetMs / (epochs.length - 1))) : 1000;
  return { epochs, durationMs: last.offsetMs + step };
}

/** Moves a GGA/RMC sentence's time (and RMC date) by `shiftMs` (back if negative), fixing the checksum. */
export function shiftSentenceTime(line: string, shiftMs: number): string {
  const m = TIME_FIELD.exec(line);
  const star = line.lastIndexOf('*');
  if (!m || shiftMs === 0 || star < 0) return line;
  const fields = line.slice(1, star).split(',');
  const frac = m[6] ?? '';
  const t = (Number(m[3]) * 3600 + Number(m[4]) * 60 + Number(m[5])) * 1000 + Math.round(Number(frac || 0) * 1000) + shiftMs;
  const days = Math.floor(t / DAY_MS);
  const ms = t - days * DAY_MS;
  const hh = Math.floor(ms / 3_600_000);
  const mm = Math.floor((ms % 3_600_000) / 60_000);
  const ss = Math.floor((ms % 60_000) / 1000);
  const decimals = Math.max(frac.length - 1, 0);
  const fracOut = decimals > 0 ? '.' + String(ms % 1000).padStart(3, '0').slice(0, decimals).padEnd(decimals, '0') : '';
  fields[1] = `${pad(hh)}${pad(mm)}${pad(ss)}${fracOut}`;
  if (m[2] === 'RMC' && days !== 0 && /^\d{6}$/.test(fields[9] ?? '')) {
    const d = fields[9] as string;
    const date = new Date(Date.UTC(2000 + Number(d.slice(4)), Number(d.slice(2, 4)) - 1, Number(d.slice(0, 2))) + days * DAY_MS);
    fields[9] = `${pad(date.getUTCDate())}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCFullYear() % 100)}`;
  }
  const body = fields.join(',');
  return `$${body}*${nmeaChecksum(body).toString(16).toUpperCase().padStart(2, '0')}`;
}

const pad = (n: number) => String(n).padStart(2, '0');
