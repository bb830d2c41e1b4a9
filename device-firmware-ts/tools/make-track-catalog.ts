/**
 * Builds resources/tracks/catalog.json (see ORIGIN.md there) from MIT-licensed sources only:
 *   node --import tsx device-firmware-ts/tools/make-track-catalog.ts
 * Inputs come from testdata/ (or `--input DIR` of the same layout). Output is deterministic.
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRACK_CATALOG_VERSION, parseTrackCatalog, type TimingLine, type TrackDefinition } from '../../protocol/src/tracks/index.js';
import {
  LocalProjection,
  bearingDeg,
  haversineM,
  lineAcross,
  midpoint,
  orientLine,
  pointSegmentDistance,
  type LatLon,
} from '../../protocol/src/timing/index.js';
import { inputDir, repoRoot } from './input-dir.js';

const ZAGGY_DIR = join('tracks', 'zaggyai_track_data');
const LAPSHUB_DIR = join('tracks', 'lapshubdev_racetrackdb');
const KORELLAS_DIR = join('laps', 'korellas_everland_aim_solo');
const input = inputDir([ZAGGY_DIR, LAPSHUB_DIR, KORELLAS_DIR]);
const outDir = join(repoRoot, 'resources', 'tracks');

const ZAGGY = join(input, ZAGGY_DIR);
const LAPSHUB = join(input, LAPSHUB_DIR);
const KORELLAS = join(input, KORELLAS_DIR);

/** Rules, also stated in ORIGIN.md. */
const MIN_OUTLINE_POINTS = 10;
const MAX_CLOSING_GAP_M = 50;
const MIN_LENGTH_M = 200;
const KART_LENGTH_M = 1_500;
const KART_LINE_WIDTH_M = 20;
const CIRCUIT_LINE_WIDTH_M = 30;
const SAME_VENUE_M = 50_000;
const DUP_LINE_M = 100;
const DUP_LENGTH_FRACTION = 0.01;
const DUP_OUTLINE_M = 15;
const HEADING_BASE_M = 10;
const OUTLINE_TOLERANCE_M = 0.5;
const MAX_ZONE_WIDTH_M = 80;

interface Candidate {
  def: TrackDefinition;
  /** Source rank: lower wins among duplicates. */
  rank: number;
}

const dropped: string[] = [];
const drop = (what: string, why: string) => dropped.push(`${what}: ${why}`);

const slug = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
const round7 = (v: number) => Math.round(v * 1e7) / 1e7;
const pt = (p: LatLon): LatLon => ({ lat: round7(p.lat), lon: round7(p.lon) });
const roundLine = (l: TimingLine): TimingLine => ({ a: pt(l.a), b: pt(l.b) });
const closedLength = (pts: readonly LatLon[]) => pts.reduce((s, p, i) => s + haversineM(p, pts[(i + 1) % pts.length]!), 0);

/** Drops the repeated closing point of a loop. */
function openLoop(pts: LatLon[]): LatLon[] {
  return pts.length > 1 && haversineM(pts[0]!, pts.at(-1)!) < 0.01 ? pts.slice(0, -1) : pts;
}

/** Heading of a loop at vertex i, over a base of about HEADING_BASE_M either side. */
function loopHeading(pts: LatLon[], i: number): number {
  const n = pts.length;
  let back = i;
  let ahead = i;
  for (let k = 1; k < n && haversineM(pts[i]!, pts[(i - k + n) % n]!) < HEADING_BASE_M; k++) back = (i - k - 1 + n) % n;
  for (let k = 1; k < n && haversineM(pts[i]!, pts[(i + k) % n]!) < HEADING_BASE_M; k++) ahead = (i + k + 1) % n;
  if (back === i) back = (i - 1 + n) % n;
  if (ahead === i) ahead = (i + 1) % n;
  return bearingDeg(pts[back]!, pts[ahead]!);
}

function nearestVertex(pts: LatLon[], p: LatLon): { index: number; distanceM: number } {
  let index = 0;
  let distanceM = Infinity;
  pts.forEach((q, i) => {
    const d = haversineM(p, q);
    if (d < distanceM) [index, distanceM] = [i, d];
  });
  return { index, distanceM };
}

/** Nearest point on a loop's legs: the leg's start index and the distance to it. */
function nearestLeg(pts: LatLon[], p: LatLon): { index: number; distanceM: number } {
  const proj = new LocalProjection(p);
  const xy = pts.map((q) => proj.toXy(q));
  let index = 0;
  let distanceM = Infinity;
  for (let i = 0; i < xy.length; i++) {
    const d = pointSegmentDistance({ x: 0, y: 0 }, xy[i]!, xy[(i + 1) % xy.length]!).distance;
    if (d < distanceM) [index, distanceM] = [i, d];
  }
  return { index, distanceM };
}

/** Douglas-Peucker on an open polyline, in a local projection. */
function simplify(pts: LatLon[], toleranceM: number): LatLon[] {
  if (pts.length < 3) return pts;
  const proj = new LocalProjection(pts[0]!);
  const xy = pts.map((q) => proj.toXy(q));
  const keep = new Uint8Array(pts.length);
  keep[0] = keep[pts.length - 1] = 1;
  const stack: [number, number][] = [[0, pts.length - 1]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    let worst = -1;
    let at = -1;
    for (let k = i + 1; k < j; k++) {
      const d = pointSegmentDistance(xy[k]!, xy[i]!, xy[j]!).distance;
      if (d > worst) [worst, at] = [d, k];
    }
    if (at > 0 && worst > toleranceM) {
      keep[at] = 1;
      stack.push([i, at], [at, j]);
    }
  }
  return pts.filter((_, k) => keep[k] === 1);
}

/** The loop rotated to start at vertex `start`, as [lat, lon] tuples. */
const outlineFrom = (pts: LatLon[], start: number): [number, number][] =>
  simplify([...pts.slice(start), ...pts.slice(0, start)], OUTLINE_TOLERANCE_M).map((p) => [round7(p.lat), round7(p.lon)]);

/** Closed length of a simplified outline: GNSS zig-zag in a traced outline is not track length. */
const outlineLength = (outline: [number, number][]) => closedLength(outline.map(([lat, lon]) => ({ lat, lon })));

const lineWidth = (lengthM: number) => (lengthM < KART_LENGTH_M ? KART_LINE_WIDTH_M : CIRCUIT_LINE_WIDTH_M);

function loadZaggy(): Candidate[] {
  const out: Candidate[] = [];
  for (const file of readdirSync(join(ZAGGY, 'data')).sort()) {
    const j = JSON.parse(readFileSync(join(ZAGGY, 'data', file), 'utf8')) as {
      name?: string;
      short_name?: string;
      start_finish?: { lat: number; lon: number };
      pts?: { lat: number; lon: number }[];
    };
    const what = `zaggyai ${file}`;
    if (!j.name || !j.short_name || !j.start_finish || !j.pts) {
      drop(what, 'missing name, start/finish or outline');
      continue;
    }
    const raw = j.pts.map((p) => ({ lat: p.lat * 1e-7, lon: p.lon * 1e-7 }));
    if (raw.length < MIN_OUTLINE_POINTS) {
      drop(what, `outline of ${raw.length} points (< ${MIN_OUTLINE_POINTS}): not a loop`);
      continue;
    }
    const gap = haversineM(raw[0]!, raw.at(-1)!);
    if (gap > MAX_CLOSING_GAP_M) {
      drop(what, `outline does not close (${gap.toFixed(0)} m gap): point-to-point, not a lap`);
      continue;
    }
    const pts = openLoop(raw);
    const sf = { lat: j.start_finish.lat * 1e-7, lon: j.start_finish.lon * 1e-7 };
    const near = nearestVertex(pts, sf);
    if (near.distanceM > 30) {
      drop(what, `start/finish ${near.distanceM.toFixed(0)} m off the outline`);
      continue;
    }
    const outline = outlineFrom(pts, near.index);
    const lengthM = outlineLength(outline);
    if (lengthM < MIN_LENGTH_M) {
      drop(what, `lap of ${lengthM.toFixed(0)} m (< ${MIN_LENGTH_M} m)`);
      continue;
    }
    out.push({
      rank: 1,
      def: {
        id: slug(`${j.name} ${j.short_name}`),
        venue: j.name,
        layout: j.short_name,
        startFinish: roundLine(lineAcross(sf, loopHeading(pts, near.index), lineWidth(lengthM))),
        lengthM: Math.round(lengthM),
        outline,
        origin: {
          source: 'zaggyai/track_data',
          licence: 'MIT',
          ref: `data/${file}`,
          note: `start/finish: ${lineWidth(lengthM)} m line square to the outline at the upstream start/finish point`,
        },
      },
    });
  }
  return out;
}

/** A venue name whose layouts lie far from its other layouts is mislabelled upstream. */
function dropMislabelled(cs: Candidate[]): Candidate[] {
  return cs.filter((c) => {
    const mid = midpoint(c.def.startFinish.a, c.def.startFinish.b);
    const siblings = cs.filter((o) => o !== c && o.def.venue === c.def.venue);
    if (siblings.length === 0) return true;
    const far = siblings.every((o) => haversineM(mid, midpoint(o.def.startFinish.a, o.def.startFinish.b)) > SAME_VENUE_M);
    if (far) drop(`zaggyai ${c.def.origin.ref}`, `"${c.def.venue}" but ${SAME_VENUE_M / 1000}+ km from every other layout of that venue: mislabelled`);
    return !far;
  });
}

interface LapshubEntry {
  id: string;
  name: string;
  finishLinePolygon: { latitude: number; longitude: number }[] | null;
  overlay: { gpsShape?: [number, number][] } | null;
}

function loadLapshub(): Candidate[] {
  const out: Candidate[] = [];
  const entries = JSON.parse(readFileSync(join(LAPSHUB, 'racetracks.json'), 'utf8')) as LapshubEntry[];
  let noLine = 0;
  for (const e of entries) {
    const what = `lapshubdev ${e.name} (${e.id})`;
    if (!e.finishLinePolygon) {
      noLine++;
      continue;
    }
    const shape = e.overlay?.gpsShape;
    if (!shape || shape.length < MIN_OUTLINE_POINTS) {
      drop(what, 'finish polygon but no track outline: no direction of travel, no lap length');
      continue;
    }
    const pts = openLoop(shape.map(([lon, lat]) => ({ lat, lon })));
    const poly = e.finishLinePolygon.map((p) => ({ lat: p.latitude, lon: p.longitude }));
    const centre = { lat: poly.reduce((s, p) => s + p.lat, 0) / poly.length, lon: poly.reduce((s, p) => s + p.lon, 0) / poly.length };
    const near = nearestLeg(pts, centre);
    if (near.distanceM > 30) {
      drop(what, `finish polygon ${near.distanceM.toFixed(0)} m from the outline`);
      continue;
    }
    const heading = bearingDeg(pts[near.index]!, pts[(near.index + 1) % pts.length]!);
    const outline = outlineFrom(pts, near.index);
    const lengthM = outlineLength(outline);
    const startFinish = roundLine(lineThroughZone(poly, centre, heading));
    const widthM = haversineM(startFinish.a, startFinish.b);
    if (widthM > MAX_ZONE_WIDTH_M) {
      drop(what, `finish polygon ${widthM.toFixed(0)} m across the track (> ${MAX_ZONE_WIDTH_M} m)`);
      continue;
    }
    out.push({
      rank: 2,
      def: {
        id: slug(e.name),
        venue: e.name,
        layout: e.name,
        startFinish,
        lengthM: Math.round(lengthM),
        outline,
        origin: {
          source: 'lapshubdev/racetrackdb',
          licence: 'MIT',
          ref: `racetracks.json#${e.id}`,
          note: 'start/finish: the finish polygon cut square to the outline through its centre',
        },
      },
    });
  }
  drop(`lapshubdev: ${noLine} venues`, 'centroid only, no finish line');
  return out;
}

/** The chord of a finish polygon through its centre, square to the direction of travel. */
function lineThroughZone(poly: LatLon[], centre: LatLon, headingDeg: number): TimingLine {
  const proj = new LocalProjection(centre);
  const xy = poly.map((p) => proj.toXy(p));
  const h = (headingDeg * Math.PI) / 180;
  const across = { x: -Math.cos(h), y: Math.sin(h) }; // left normal of the heading
  const reach: number[] = [];
  for (let i = 0; i < xy.length; i++) {
    const p = xy[i]!;
    const q = xy[(i + 1) % xy.length]!;
    const den = across.x * (q.y - p.y) - across.y * (q.x - p.x);
    if (den === 0) continue;
    const f = (across.y * p.x - across.x * p.y) / den;
    if (f < 0 || f > 1) continue;
    const hit = { x: p.x + f * (q.x - p.x), y: p.y + f * (q.y - p.y) };
    reach.push(hit.x * across.x + hit.y * across.y);
  }
  const lo = Math.min(...reach);
  const hi = Math.max(...reach);
  const at = (s: number) => proj.toLatLon({ x: across.x * s, y: across.y * s });
  return orientLine({ a: at(hi), b: at(lo) }, headingDeg);
}

/** Everland: the logger's own line and sector boundaries replace the derived line. */
function applyKorellas(cs: Candidate[]): void {
  const header = readFileSync(join(KORELLAS, 'everland_track_data.header.txt'), 'utf8');
  const num = (name: string) => Number(new RegExp(`${name}\\s*=\\s*(-?[\\d.]+)`).exec(header)?.[1]);
  const line = { a: { lat: num('FINISH_LINE_A_LAT'), lon: num('FINISH_LINE_A_LNG') }, b: { lat: num('FINISH_LINE_B_LAT'), lon: num('FINISH_LINE_B_LNG') } };
  if (!Object.values(line).every((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon))) throw new Error('Everland header: no finish line');
  const mid = midpoint(line.a, line.b);
  const target = cs.find((c) => /everland/i.test(c.def.venue) && haversineM(mid, midpoint(c.def.startFinish.a, c.def.startFinish.b)) < DUP_LINE_M);
  if (!target?.def.outline) throw new Error('Everland: no outline to attach the korellas line to');
  const pts = target.def.outline.map(([lat, lon]) => ({ lat, lon }));
  // The upstream line runs 30 degrees off square to the straight, so a car 1 m further left
  // or right meets it 1.7 m earlier or later (40 ms at 150 km/h). Keep where the outline meets
  // it, square it to the outline there.
  const cross = outlineMeetsLine(pts, line);
  const heading = loopHeading(pts, nearestVertex(pts, cross).index);
  // Sector boundaries are upstream simulation constants (not in the header file).
  const boundaries = [
    { lat: 37.2974004, lon: 127.2175125 },
    { lat: 37.2961782, lon: 127.2138076 },
  ];
  target.def.startFinish = roundLine(lineAcross(cross, heading, CIRCUIT_LINE_WIDTH_M));
  target.def.sectors = boundaries.map((b) => roundLine(lineAcross(b, loopHeading(pts, nearestVertex(pts, b).index), CIRCUIT_LINE_WIDTH_M)));
  target.def.origin = {
    ...target.def.origin,
    note: 'start/finish: korellas/gps-laptimer line (MIT) where the outline meets it, squared to the outline, 30 m; sectors: 30 m lines square to the outline at its boundary points',
  };
}

/** Where a loop meets the (infinite) line through `line.a` and `line.b`, nearest the line's middle. */
function outlineMeetsLine(pts: LatLon[], line: TimingLine): LatLon {
  const proj = new LocalProjection(midpoint(line.a, line.b));
  const a = proj.toXy(line.a);
  const b = proj.toXy(line.b);
  const side = (p: LatLon) => {
    const q = proj.toXy(p);
    return (b.x - a.x) * (q.y - a.y) - (b.y - a.y) * (q.x - a.x);
  };
  let best: LatLon | null = null;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i]!;
    const q = pts[(i + 1) % pts.length]!;
    const s0 = side(p);
    const s1 = side(q);
    if (Math.sign(s0) === Math.sign(s1)) continue;
    const f = s0 / (s0 - s1);
    const hit = { lat: p.lat + f * (q.lat - p.lat), lon: p.lon + f * (q.lon - p.lon) };
    if (!best || haversineM(hit, proj.origin) < haversineM(best, proj.origin)) best = hit;
  }
  if (!best) throw new Error('outline never meets the line');
  return best;
}

/** Largest distance of a's outline vertices to b's outline. */
function outlineGap(a: TrackDefinition, b: TrackDefinition): number {
  if (!a.outline || !b.outline) return Infinity;
  const proj = new LocalProjection(midpoint(a.startFinish.a, a.startFinish.b));
  const bx = b.outline.map(([lat, lon]) => proj.toXy({ lat, lon }));
  let worst = 0;
  for (let i = 0; i < a.outline.length; i++) {
    const [lat, lon] = a.outline[i]!;
    const p = proj.toXy({ lat, lon });
    let best = Infinity;
    for (let k = 0; k < bx.length; k++) best = Math.min(best, pointSegmentDistance(p, bx[k]!, bx[(k + 1) % bx.length]!).distance);
    worst = Math.max(worst, best);
  }
  return worst;
}

function isDuplicate(a: TrackDefinition, b: TrackDefinition): boolean {
  const d = haversineM(midpoint(a.startFinish.a, a.startFinish.b), midpoint(b.startFinish.a, b.startFinish.b));
  if (d > DUP_LINE_M) return false;
  if (Math.abs(a.lengthM - b.lengthM) > DUP_LENGTH_FRACTION * Math.max(a.lengthM, b.lengthM)) return false;
  return Math.max(outlineGap(a, b), outlineGap(b, a)) <= DUP_OUTLINE_M;
}

function dedupe(cs: Candidate[]): Candidate[] {
  const sorted = [...cs].sort((x, y) => x.rank - y.rank || (y.def.outline?.length ?? 0) - (x.def.outline?.length ?? 0) || x.def.id.localeCompare(y.def.id));
  const kept: Candidate[] = [];
  for (const c of sorted) {
    const twin = kept.find((k) => isDuplicate(k.def, c.def));
    if (twin) drop(`${c.def.origin.source} ${c.def.origin.ref}`, `duplicate of ${twin.def.id}`);
    else kept.push(c);
  }
  return kept;
}

function uniqueIds(cs: Candidate[]): TrackDefinition[] {
  const seen = new Map<string, number>();
  return cs.map(({ def }) => {
    const n = (seen.get(def.id) ?? 0) + 1;
    seen.set(def.id, n);
    return n === 1 ? def : { ...def, id: `${def.id}-${n}` };
  });
}

function main(): void {
  const zaggy = dropMislabelled(loadZaggy());
  applyKorellas(zaggy);
  const all = dedupe([...zaggy, ...loadLapshub()]);
  const tracks = uniqueIds(all).sort((a, b) => a.venue.localeCompare(b.venue) || a.layout.localeCompare(b.layout) || a.id.localeCompare(b.id));
  const catalog = parseTrackCatalog({ version: TRACK_CATALOG_VERSION, tracks });
  mkdirSync(outDir, { recursive: true });
  const json = JSON.stringify(catalog, null, 2)
    .replace(/\[\s+(-?[\d.e-]+),\s+(-?[\d.e-]+)\s+\]/g, '[$1,$2]')
    .replace(/"outline": \[([^\]]|\],)*\]\s*\]/g, (m) => m.replace(/\s+/g, '').replace('"outline":', '"outline": '));
  writeFileSync(join(outDir, 'catalog.json'), json + '\n');
  copyFileSync(join(ZAGGY, 'LICENSE.MIT.txt'), join(outDir, 'LICENSE.zaggyai-track-data.MIT.txt'));
  copyFileSync(join(LAPSHUB, 'LICENSE.MIT.txt'), join(outDir, 'LICENSE.lapshubdev-racetrackdb.MIT.txt'));
  copyFileSync(join(KORELLAS, 'LICENSE.MIT.txt'), join(outDir, 'LICENSE.korellas-gps-laptimer.MIT.txt'));
  for (const f of readdirSync(outDir)) chmodSync(join(outDir, f), 0o644);
  console.log(`${tracks.length} tracks written; ${dropped.length} entries dropped:`);
  for (const d of dropped) console.log(`  - ${d}`);
}

main();
