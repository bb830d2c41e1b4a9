// One export of a stored session (or one lap of it) in any of the three formats: CSV, GPX or VBO.
import { createWriteStream } from 'node:fs';
import { trackDisplayName, vboLines, type SessionHeader } from '@pitwall/protocol';
import { csvLines } from './export-csv.js';
import { gpxLines } from './export-gpx.js';
import type { SessionStore } from './session-store.js';

export type ExportFormat = 'csv' | 'gpx' | 'vbo';

/** The lines of an export of a stored session, or of one lap of it (by lap number). */
export function exportLines(store: SessionStore, sessionRow: number, format: ExportFormat, lap?: number): Iterable<string> {
  const s = store.find(sessionRow);
  if (!s) throw new Error(`no session ${sessionRow}`);
  let from = -Infinity;
  let to = Infinity;
  const laps = store.laps(sessionRow);
  if (lap !== undefined) {
    const l = laps.find((x) => x.lap === lap);
    if (!l) throw new Error(`session ${s.sessionId} has no lap ${lap} (laps: ${laps.map((x) => x.lap).join(', ') || 'none'})`);
    from = l.startT;
    to = l.endT;
  }
  const fixes = store.fixes(sessionRow, from, to);
  const timedOn = store.trackList().find((t) => t.id === s.trackId);
  const name = `${s.unitName} ${timedOn ? trackDisplayName(timedOn) : (s.trackId ?? '')} ${new Date(s.startedAt).toISOString()}${lap !== undefined ? ` lap ${lap}` : ''}`.replace(/\s+/g, ' ');
  switch (format) {
    case 'csv':
      return csvLines(fixes, store.imu(sessionRow, from, to));
    case 'gpx': {
      const segments = lap !== undefined || laps.length === 0 ? [fixes] : laps.map((l) => fixes.filter((f) => f.t >= l.startT && f.t <= l.endT));
      return gpxLines({ name, description: s.driver ? `driver ${s.driver}` : undefined, segments });
    }
    case 'vbo': {
      // The gates of the track the laps were timed on (VBOX software times laps from them).
      const track = store.trackList().find((t) => t.id === (laps[0]?.trackId ?? s.trackId)) ?? null;
      return vboLines({ header: store.header(sessionRow) as SessionHeader, fixes, imu: store.imu(sessionRow, from, to), track });
    }
  }
}

/** Streams an export to a file. */
export async function exportToFile(store: SessionStore, sessionRow: number, format: ExportFormat, path: string, lap?: number): Promise<number> {
  const lines = exportLines(store, sessionRow, format, lap);
  const out = createWriteStream(path);
  let bytes = 0;
  for (const line of lines) {
    bytes += Buffer.byteLength(line);
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return bytes;
}
