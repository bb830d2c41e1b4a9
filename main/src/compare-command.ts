import { parseArgs } from 'node:util';
import { CompanionError, formatLapTime, type LapComparisonResult, type LapKey } from '@pitwall/protocol';
import { compareStoredLaps, defaultUserDataDir, loadTracks, openDatabase, OwnTracks, SessionStore } from '@pitwall/app';
import { cleanText, textTable } from './discover-table.js';
import type { Io } from './session-commands.js';

export const COMPARE_USAGE = `  pitwall compare <session:lap> <session:lap> [--json] [--data-dir DIR]
      Two laps of one track, from any sessions, units and GNSS rates, compared by distance along
      the track: delta, sectors, corners (entry, minimum, exit speed). SESSION is an id or a
      session id prefix (pitwall sessions); LAP a lap number or "best".`;

const fmtMs = (ms: number | null) => formatLapTime(ms, '-');
const signed = (ms: number | null) => (ms === null ? '-' : `${ms > 0 ? '+' : ms < 0 ? '-' : '±'}${(Math.abs(ms) / 1000).toFixed(3)}`);

/** A `session:lap` argument against the store: the key, or a sentence and the exit status. */
function resolveLap(store: SessionStore, ref: string): LapKey | { error: string; status: number } {
  const cut = ref.lastIndexOf(':');
  if (cut <= 0 || cut === ref.length - 1) return { error: `"${ref}" is not SESSION:LAP (e.g. 12:3 or 12:best)`, status: 2 };
  const [sessionRef, lapRef] = [ref.slice(0, cut), ref.slice(cut + 1)];
  if (lapRef !== 'best' && !/^[1-9]\d{0,5}$/.test(lapRef)) return { error: `"${lapRef}" is not a lap number or "best"`, status: 2 };
  const s = store.resolve(sessionRef);
  if (!s) return { error: `no session "${sessionRef}" in the store (pitwall sessions lists them)`, status: 3 };
  const laps = store.laps(s.id);
  if (lapRef === 'best') {
    if (laps.length === 0) return { error: `session ${s.id} has no timed laps`, status: 3 };
    return { session: s.id, lap: laps.reduce((b, l) => (l.timeMs < b.timeMs ? l : b)).lap };
  }
  return { session: s.id, lap: Number(lapRef) };
}

/** `pitwall compare A B`. Exit 0 ok, 1 the laps cannot be compared, 2 usage, 3 not found. */
export function runCompareCommand(argv: string[], io: Io): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' } } });
  } catch (err) {
    return io.err(`${(err as Error).message}\n\n${COMPARE_USAGE}`), 2;
  }
  const [refA, refB, ...extra] = parsed.positionals;
  if (!refA || !refB || extra.length) return io.err(`compare takes two laps\n\n${COMPARE_USAGE}`), 2;
  const db = openDatabase(parsed.values['data-dir'] ?? defaultUserDataDir());
  try {
    const tracks = [...loadTracks(), ...new OwnTracks(db).list()];
    const store = new SessionStore(db, () => tracks);
    const a = resolveLap(store, refA);
    const b = resolveLap(store, refB);
    for (const k of [a, b]) if ('error' in k) return io.err(cleanText(k.error)), k.status;
    let c: LapComparisonResult;
    try {
      c = compareStoredLaps(store, tracks, a as LapKey, b as LapKey);
    } catch (err) {
      if (!(err instanceof CompanionError)) throw err;
      return io.err(err.message), err.code === 'not-found' ? 3 : 1;
    }
    if (parsed.values.json) return io.out(JSON.stringify(c)), 0;
    printComparison(c, io);
    return 0;
  } finally {
    db.close();
  }
}

function printComparison(c: LapComparisonResult, io: Io): void {
  io.out(cleanText(`${c.track.name}, ${(c.track.lengthM / 1000).toFixed(3)} km along its centre line`));
  const who = (l: LapComparisonResult['a']) => `${l.driver ?? '-'} · ${l.unitName}`;
  io.out(
    textTable([
      ['', 'LAP', 'DRIVER · UNIT', 'GNSS', 'TIME'],
      ['A', `${c.a.session}:${c.a.lap}`, who(c.a), `${c.a.rateHz.toFixed(0)} Hz`, fmtMs(c.a.timeMs)],
      ['B', `${c.b.session}:${c.b.lap}`, who(c.b), `${c.b.rateHz.toFixed(0)} Hz`, fmtMs(c.b.timeMs)],
    ]),
  );
  io.out('');
  // The delta at every tenth of the lap: where B lost or gained, at a glance.
  const marks = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1].map((f) => {
    const i = c.stationsM.findIndex((s) => s >= f * c.track.lengthM - 1e-6);
    return [`${Math.round(c.stationsM[i]!)} m`, signed(c.deltaMs[i]!)];
  });
  io.out(textTable([['DELTA B-A AT', ...marks.map((m) => m[0]!)], ['', ...marks.map((m) => m[1]!)]]));
  if (c.sectors.length) {
    io.out('');
    io.out(textTable([['SECTOR', 'A', 'B', 'B-A'], ...c.sectors.map((s) => [`S${s.sector}`, fmtMs(s.aMs), fmtMs(s.bMs), signed(s.deltaMs)])]));
  }
  io.out('');
  const speeds = (k: LapComparisonResult['corners'][number]['a']) => `${k.entryKmh.toFixed(0)} / ${k.minKmh.toFixed(0)} / ${k.exitKmh.toFixed(0)}`;
  io.out(
    textTable([
      ['CORNER', 'AT', 'RADIUS', 'A ENTRY/MIN/EXIT KM/H', 'B ENTRY/MIN/EXIT KM/H', 'MIN B-A', 'TIME B-A'],
      ...c.corners.map((k) => [`T${k.number} ${k.direction}`, `${Math.round(k.entryM)}-${Math.round(k.exitM)} m`, `${Math.round(k.radiusM)} m`, speeds(k.a), speeds(k.b), `${(k.b.minKmh - k.a.minKmh).toFixed(1)}`, signed(k.deltaMs)]),
    ]),
  );
}
