import type { SessionFix } from '@pitwall/protocol';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface GpxMeta {
  name: string;
  description?: string;
  /** One track segment per lap, or one for the whole session. */
  segments: readonly (readonly SessionFix[])[];
}

/** GPX 1.1: metadata, one track, a segment per lap; elevation, time, satellites, HDOP and fix type per point. */
export function* gpxLines(m: GpxMeta): Generator<string> {
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield '<gpx version="1.1" creator="Pitwall" xmlns="http://www.topografix.com/GPX/1/1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd">\n';
  const first = m.segments.find((s) => s.length > 0)?.[0];
  yield `  <metadata><name>${esc(m.name)}</name>${first ? `<time>${new Date(first.t).toISOString()}</time>` : ''}</metadata>\n`;
  yield `  <trk><name>${esc(m.name)}</name>${m.description ? `<desc>${esc(m.description)}</desc>` : ''}\n`;
  for (const seg of m.segments) {
    yield '    <trkseg>\n';
    let rows: string[] = [];
    for (const f of seg) {
      if (f.lat === null || f.lon === null) continue;
      // Element order is fixed by the schema: ele, time, ..., fix, sat, hdop.
      let p = `      <trkpt lat="${f.lat.toFixed(7)}" lon="${f.lon.toFixed(7)}">`;
      if (f.altM !== null) p += `<ele>${f.altM.toFixed(2)}</ele>`;
      p += `<time>${new Date(f.t).toISOString()}</time>`;
      if (f.courseDeg !== null) p += `<magvar>${(((f.courseDeg % 360) + 360) % 360).toFixed(2)}</magvar>`;
      if (f.fix !== 'none') p += `<fix>${f.fix}</fix>`;
      p += `<sat>${f.satellites}</sat>`;
      if (f.hdop !== null) p += `<hdop>${f.hdop.toFixed(1)}</hdop>`;
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
