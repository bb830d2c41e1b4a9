import type { SessionFix } from '@pitwall/protocol';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface GpxMeta {
  name: string;
  description?: string;
  /** One track segment per lap, or one for the whole session. */
  segments: readonly (readonly SessionFix[])[];
}

/** Garmin's TrackPointExtension (v2): where GPX readers look for speed and course, which GPX 1.1 itself lacks. */
const TPX = 'http://www.garmin.com/xmlschemas/TrackPointExtension/v2';

/** Degrees in [0, 360) with two decimals (359.996 would print as 360.00, outside GPX's degreesType). */
function degrees(d: number): string {
  const v = (((Math.round(d * 100) / 100) % 360) + 360) % 360;
  return v.toFixed(2);
}

/** A longitude in [-180, 180) with seven decimals (GPX's longitudeType excludes +180). */
function longitude(d: number): string {
  const s = d.toFixed(7);
  return s === '180.0000000' ? '-180.0000000' : s;
}

/**
 * GPX 1.1 (valid against the schema in resources/schemas/gpx-1.1.xsd): metadata, one track, a
 * segment per lap; elevation, time, fix type, satellites and HDOP per point, speed (m/s) and
 * course (degrees true) in a TrackPointExtension.
 */
export function* gpxLines(m: GpxMeta): Generator<string> {
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<gpx version="1.1" creator="Pitwall" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="${TPX}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd">\n`;
  const first = m.segments.find((s) => s.length > 0)?.[0];
  yield `  <metadata><name>${esc(m.name)}</name>${first ? `<time>${new Date(first.t).toISOString()}</time>` : ''}</metadata>\n`;
  yield `  <trk><name>${esc(m.name)}</name>${m.description ? `<desc>${esc(m.description)}</desc>` : ''}\n`;
  for (const seg of m.segments) {
    yield '    <trkseg>\n';
    let rows: string[] = [];
    for (const f of seg) {
      if (f.lat === null || f.lon === null) continue;
      // Element order is fixed by the schema: ele, time, ..., fix, sat, hdop, ..., extensions.
      // (magvar is the magnetic variation at the point, not the course: never written.)
      let p = `      <trkpt lat="${f.lat.toFixed(7)}" lon="${longitude(f.lon)}">`;
      if (f.altM !== null) p += `<ele>${f.altM.toFixed(2)}</ele>`;
      p += `<time>${new Date(f.t).toISOString()}</time>`;
      if (f.fix !== 'none') p += `<fix>${f.fix}</fix>`;
      p += `<sat>${f.satellites}</sat>`;
      if (f.hdop !== null) p += `<hdop>${f.hdop.toFixed(1)}</hdop>`;
      if (f.speedMps !== null || f.courseDeg !== null) {
        p += '<extensions><gpxtpx:TrackPointExtension>';
        if (f.speedMps !== null) p += `<gpxtpx:speed>${Math.max(0, f.speedMps).toFixed(2)}</gpxtpx:speed>`;
        if (f.courseDeg !== null) p += `<gpxtpx:course>${degrees(f.courseDeg)}</gpxtpx:course>`;
        p += '</gpxtpx:TrackPointExtension></extensions>';
      }
      rows.push(`${p}</trkpt>\n`);
      if (rows.length >= 500) {
        yield rows.join('');
        rows = [];
      }
    }
    yield rows.join('');
    yield '    </trkseg>\n';
  }
  yield '  </trk>\n</gpx>\n';
}
