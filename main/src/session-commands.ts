import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CompanionError, formatLapTime, trackDisplayName, type MergeChange, type SessionSyncProgress, type TrackDefinition } from '@pitwall/protocol';
import { addTrackFromSession, createCompanion, syncTrackRegistry, type RegistrySyncOptions, defaultUserDataDir, exportToFile, lapStats, loadTracks, openDatabase, OwnTracks, parseLatLon, SessionStore, trackEntries, type ExportFormat } from '@pitwall/app';
import { cleanText, textTable } from './discover-table.js';

export const SESSION_USAGE = `  pitwall sync [--unit ID] [--data-dir DIR] [--address HOST:PORT ...] [--no-mdns]
      Pull new closed sessions from every paired online unit (or one), resuming after cuts.
  pitwall sessions [--json] [--data-dir DIR]
      List the sessions in the store: date, track, driver, unit, laps, best lap.
  pitwall laps SESSION [--track ID|auto] [--json] [--data-dir DIR]
      Lap and sector times of a session (recomputed from its fixes), best, theoretical best, consistency.
      --track re-times it on another layout and keeps that choice (auto: the driven path decides again).
  pitwall tracks [--near LAT,LON] [--json]
      The track catalog and your own tracks by name; --near: the layouts within 50 km, nearest first.
  pitwall tracks add --from SESSION [--name NAME] [--at FRACTION] [--sectors F,F...]
      Draw your own track from a session's first lap: a start/finish square to the path (at the
      middle of the longest straight, or FRACTION of the lap), optional sector lines; the
      session's laps are timed on it at once.
  pitwall tracks book -o FILE
      Write this laptop's book of own tracks and their edits (names, sector lines, groups) to FILE.
  pitwall tracks merge FILE
      Merge another laptop's book: its later edits win, yours stay where they are later; prints what changed.
  pitwall tracks sync --hub URL [--token-file FILE] [--reset]
      Push this laptop's book to the hub's track registry (when it changed since the last sync),
      pull what changed in the registry since the last sync and merge it here (--reset: push and
      pull everything); prints what changed. The member token is read from FILE or
      PITWALL_HUB_TOKEN, never a flag.
  pitwall tracks push <unit> [--data-dir DIR] [--serial PATH ...] [--no-mdns] [--timeout S]
      Replace a paired unit's own tracks with yours (owner or dealer); it times them from its next start.
  pitwall export SESSION --format csv|gpx|vbo [--lap N] -o FILE [--data-dir DIR]
      Write a session (or one lap) as CSV, GPX 1.1 or VBO.`;

export const SESSION_COMMANDS = new Set(['sync', 'sessions', 'laps', 'export', 'tracks']);

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const fmtMs = (ms: number | null) => formatLapTime(ms, '-');

/** `pitwall sync|sessions|laps|export`. Exit 0 ok, 1 failed, 2 usage, 3 not found. */
export async function runSessionCommand(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        unit: { type: 'string' },
        'data-dir': { type: 'string' },
        address: { type: 'string', multiple: true, default: [] },
        'no-mdns': { type: 'boolean', default: false },
        format: { type: 'string' },
        lap: { type: 'string' },
        o: { type: 'string', short: 'o' },
        timeout: { type: 'string', default: '5' },
        track: { type: 'string' },
        near: { type: 'string' },
        from: { type: 'string' },
        name: { type: 'string' },
        at: { type: 'string' },
        sectors: { type: 'string' },
        hub: { type: 'string' },
        'token-file': { type: 'string' },
        reset: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${SESSION_USAGE}`);
    return 2;
  }
  const v = parsed.values;
  const dataDir = v['data-dir'] ?? defaultUserDataDir();
  if (command === 'sync') return sync(dataDir, v.unit, v.address ?? [], !v['no-mdns'], Number(v.timeout) || 5, io);
  const db = openDatabase(dataDir);
  try {
    const own = new OwnTracks(db);
    const tracks = [...loadTracks(), ...own.list()];
    const store = new SessionStore(db, () => tracks);
    if (command === 'tracks' && parsed.positionals[0] === 'add') return addTrack(store, own, v, io);
    if (command === 'tracks' && parsed.positionals[0] === 'book') return writeBook(own, v.o, io);
    if (command === 'tracks' && parsed.positionals[0] === 'merge') return mergeBookFile(own, parsed.positionals[1], v.json ?? false, io);
    if (command === 'tracks' && parsed.positionals[0] === 'sync') return await syncWithHub(own, v.hub, v['token-file'], v.json ?? false, io, { db, reset: v.reset ?? false });
    if (command === 'tracks') return listTracks(tracks, new Set(own.list().map((t) => t.id)), v.near, v.json ?? false, io);
    const nameOf = (id: string | null) => {
      const t = id ? tracks.find((x) => x.id === id) : undefined;
      return t ? trackDisplayName(t) : (id ?? '-');
    };
    if (command === 'sessions') {
      const list = store.list();
      if (v.json) return io.out(JSON.stringify(list, null, 2)), 0;
      if (list.length === 0) return io.out('no sessions yet: run pitwall sync'), 0;
      const rows = [['ID', 'DATE (UTC)', 'TRACK', 'DRIVER', 'UNIT', 'LAPS', 'BEST', 'SESSION']];
      for (const s of list) rows.push([String(s.id), new Date(s.startedAt).toISOString().slice(0, 16).replace('T', ' '), nameOf(s.trackId), s.driver ?? '-', s.unitName, String(s.laps), fmtMs(s.bestLapMs), s.sessionId]);
      io.out(textTable(rows));
      return 0;
    }
    const ref = parsed.positionals[0];
    if (!ref) {
      io.err(`${command} needs a SESSION (an id from pitwall sessions)\n\n${SESSION_USAGE}`);
      return 2;
    }
    const s = store.resolve(ref);
    if (!s) {
      io.err(`no session "${ref}" in the store (pitwall sessions lists them)`);
      return 3;
    }
    if (command === 'laps') {
      let session = s;
      if (v.track !== undefined) {
        const choice = v.track === 'auto' ? null : v.track;
        if (choice !== null && !tracks.some((t) => t.id === choice)) {
          io.err(`no track "${cleanText(choice)}" (pitwall tracks lists them; auto lets the driven path decide)`);
          return 3;
        }
        store.chooseTrack(s.id, choice);
        session = store.find(s.id)!;
      }
      const laps = store.laps(s.id).map(({ trackId: _t, ...l }) => l);
      const stats = lapStats(laps);
      if (v.json) return io.out(JSON.stringify({ session, trackName: session.trackId ? nameOf(session.trackId) : null, laps, ...stats }, null, 2)), 0;
      io.out(cleanText(`Track: ${nameOf(session.trackId)} (${session.trackByHand ? 'chosen by hand' : 'chosen by the driven path'})`));
      const n = Math.max(0, ...laps.map((l) => l.sectorsMs.length));
      const rows = [['LAP', 'TIME', ...Array.from({ length: n }, (_, i) => `S${i + 1}`), '']];
      laps.forEach((l, i) => rows.push([String(l.lap), fmtMs(l.timeMs), ...l.sectorsMs.map(fmtMs), i === stats.bestIndex ? 'best' : '']));
      io.out(textTable(rows));
      io.out(`theoretical best ${fmtMs(stats.theoreticalBestMs)}  consistency (std dev) ${stats.consistencyMs === null ? '-' : `${(stats.consistencyMs / 1000).toFixed(3)} s`}`);
      return 0;
    }
    if (command === 'export') {
      const format = v.format as ExportFormat | undefined;
      if (!format || !['csv', 'gpx', 'vbo'].includes(format) || !v.o) {
        io.err(`export needs --format csv|gpx|vbo and -o FILE\n\n${SESSION_USAGE}`);
        return 2;
      }
      const lap = v.lap === undefined ? undefined : Number(v.lap);
      if (lap !== undefined && !Number.isInteger(lap)) return io.err('--lap takes a lap number'), 2;
      try {
        const bytes = await exportToFile(store, s.id, format, v.o, lap);
        io.err(`wrote ${v.o} (${bytes} bytes)`);
        return 0;
      } catch (err) {
        io.err((err as Error).message);
        return 3;
      }
    }
    return 2;
  } finally {
    db.close();
  }
}

function addTrack(store: SessionStore, own: OwnTracks, v: { from?: string; name?: string; at?: string; sectors?: string; json?: boolean }, io: Io): number {
  const s = v.from ? store.resolve(v.from) : null;
  if (!v.from) return io.err(`tracks add needs --from SESSION\n\n${SESSION_USAGE}`), 2;
  if (!s) return io.err(`no session "${cleanText(v.from)}" in the store (pitwall sessions lists them)`), 3;
  const at = v.at === undefined ? undefined : Number(v.at);
  const sectorsAt = v.sectors === undefined ? [] : v.sectors.split(',').map(Number);
  if ((at !== undefined && !(at >= 0 && at < 1)) || sectorsAt.some((f) => !(f > 0 && f < 1))) {
    return io.err('--at and --sectors take fractions of the lap: 0 <= at < 1, 0 < sector < 1'), 2;
  }
  const name = (v.name ?? `${s.unitName} track ${new Date(s.startedAt).toISOString().slice(0, 10)}`).replace(/\p{Cc}/gu, '').trim();
  if (!name || name.length > 120) return io.err('--name takes 1 to 120 characters'), 2;
  let result;
  try {
    result = addTrackFromSession(store, own, s.id, { name, at, sectorsAt });
  } catch (err) {
    return io.err(`could not draw a track from session ${s.id}: ${(err as Error).message}`), 1;
  }
  if (v.json) return io.out(JSON.stringify(result, null, 2)), 0;
  io.out(cleanText(`${result.added ? 'added' : 'already stored'}: ${trackDisplayName(result.track)} (${result.track.id}), ${(result.track.lengthM / 1000).toFixed(2)} km; session ${s.id}: ${result.laps} laps on it`));
  return 0;
}

function listTracks(tracks: readonly TrackDefinition[], ownIds: ReadonlySet<string>, near: string | undefined, json: boolean, io: Io): number {
  const at = near === undefined ? undefined : parseLatLon(near);
  if (at === null) {
    io.err(`--near takes LAT,LON in degrees, e.g. --near 38.161,-122.455\n\n${SESSION_USAGE}`);
    return 2;
  }
  const entries = trackEntries(tracks, ownIds, at);
  if (json) return io.out(JSON.stringify(entries, null, 2)), 0;
  if (entries.length === 0) return io.out(at ? 'no track within 50 km' : 'no tracks'), 0;
  const rows = [['NAME', 'LENGTH', ...(at ? ['DISTANCE'] : []), 'ID']];
  for (const e of entries) rows.push([e.name, `${(e.lengthM / 1000).toFixed(2)} km`, ...(at ? [`${(e.distanceM! / 1000).toFixed(1)} km`] : []), e.id]);
  io.out(textTable(rows));
  return 0;
}

async function sync(dataDir: string, unit: string | undefined, addresses: string[], mdns: boolean, waitS: number, io: Io): Promise<number> {
  let lastLine = 0;
  const companion = createCompanion({
    dataDir,
    mdns,
    serial: false,
    hotplug: false,
    pollIntervalMs: 500,
    events: (event, payload) => {
      if (event !== 'sessions:progress') return;
      const p = payload as SessionSyncProgress;
      if (Date.now() - lastLine < 1000 && !p.done) return;
      lastLine = Date.now();
      const pct = p.bytesTotal ? Math.round((100 * p.bytesDone) / p.bytesTotal) : 100;
      io.err(`sync ${pct}%  ${p.units.map((u) => `${u.unitName}: ${u.sessionsDone}/${u.sessionsTotal} ${u.state}`).join('  ')}`);
    },
  });
  try {
    for (const address of addresses) await companion.handlers['devices:add-address']({ address }).catch((e: Error) => io.err(`could not add ${address}: ${e.message}`));
    // Give discovery a moment to see which paired units are online.
    const until = Date.now() + waitS * 1000;
    while (Date.now() < until) {
      await companion.refresh();
      const paired = companion.list().filter((u) => u.pairing.state === 'paired' && u.links.some((l) => l.online && l.kind !== 'usb'));
      if (unit ? paired.some((u) => u.id === unit || u.id.startsWith(unit)) : paired.length > 0) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const id = unit ? companion.list().find((u) => u.id === unit || u.id.startsWith(unit))?.id : undefined;
    if (unit && !id) {
      io.err(`no unit "${unit}" known here`);
      return 3;
    }
    const report = await companion.handlers['sync:start'](id ? { unitId: id } : {});
    for (const u of report.units) io.out(cleanText(`${u.unitName}: ${u.fetched} new, ${u.skipped} already here${u.failed ? `, ${u.failed} failed (${u.error})` : ''}`));
    if (report.units.length === 0) io.out('no paired unit online');
    return report.units.some((u) => u.failed > 0) ? 1 : 0;
  } catch (err) {
    io.err(err instanceof CompanionError ? err.message : String(err));
    return 1;
  } finally {
    await companion.close();
  }
}

/** The largest book file `tracks merge` reads: 200 tracks of 5000 points with room to spare. */
const BOOK_MAX_B = 64 * 1024 * 1024;

function writeBook(own: OwnTracks, file: string | undefined, io: Io): number {
  if (!file) return io.err(`tracks book needs -o FILE\n\n${SESSION_USAGE}`), 2;
  own.withSignatures();
  writeFileSync(file, `${JSON.stringify(own.book.book)}\n`, { mode: 0o600 });
  io.err(`wrote ${file}: ${Object.keys(own.book.book.tracks).length} tracks`);
  return 0;
}

function mergeBookFile(own: OwnTracks, file: string | undefined, json: boolean, io: Io): number {
  if (!file) return io.err(`tracks merge needs the FILE another laptop wrote with pitwall tracks book\n\n${SESSION_USAGE}`), 2;
  let book: unknown;
  try {
    if (statSync(file).size > BOOK_MAX_B) throw new Error(`it is larger than ${BOOK_MAX_B / 1024 / 1024} MiB`);
    book = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return io.err(cleanText(`could not read ${file}: ${(err as Error).message}`)), 3;
  }
  let changes;
  try {
    changes = own.merge(book);
  } catch (err) {
    return io.err(cleanText(`${file} was not merged (nothing changed): ${(err as Error).message}`)), 3;
  }
  if (json) return io.out(JSON.stringify(changes, null, 2)), 0;
  if (changes.length === 0) return io.out('nothing changed: this laptop had every edit in that book'), 0;
  for (const c of changes) io.out(changeLine(c));
  return 0;
}

async function syncWithHub(own: OwnTracks, hub: string | undefined, tokenFile: string | undefined, json: boolean, io: Io, opts: RegistrySyncOptions): Promise<number> {
  if (!hub || !/^https?:\/\//.test(hub)) return io.err(`tracks sync needs --hub URL (http:// or https://)\n\n${SESSION_USAGE}`), 2;
  let token: string | undefined;
  try {
    token = tokenFile !== undefined ? readFileSync(tokenFile, 'utf8').trim() : process.env.PITWALL_HUB_TOKEN?.trim();
  } catch (err) {
    return io.err(cleanText(`could not read the token file: ${(err as Error).message}`)), 3;
  }
  if (!token) return io.err('tracks sync needs a member token of the hub: --token-file FILE or PITWALL_HUB_TOKEN'), 2;
  let report;
  try {
    report = await syncTrackRegistry(own, hub, token, fetch, opts);
  } catch (err) {
    return io.err(cleanText(`tracks sync failed (this laptop's book is unchanged): ${(err as Error).message}`)), 1;
  }
  if (json) return io.out(JSON.stringify(report, null, 2)), 0;
  if (report.pushSkipped) io.out('nothing new here since the last sync: the book was not sent');
  for (const t of report.pushed.tracks) io.out(cleanText(`pushed ${t.key}: ${t.outcome}, registry id ${t.registryId}, version ${t.version}`));
  io.out(`pulled ${report.pulled} entries changed after version ${report.pulledAfter} (registry version ${report.pushed.version})`);
  if (report.changes.length === 0) io.out('nothing changed here: this laptop had every edit in the registry');
  for (const c of report.changes) io.out(changeLine(c));
  return 0;
}

const changeLine = (c: MergeChange) => cleanText(`${c.entity} ${c.key}: ${c.field} ${c.from ?? '-'} -> ${c.to ?? '-'}${c.by ? ` (from ${c.by})` : ''}`);
