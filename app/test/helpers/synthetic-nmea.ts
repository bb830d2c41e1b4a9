import { writeFileSync } from 'node:fs';

/**
 * Synthetic NMEA (labelled as such): a car driving a 300 m circle at ~25 m/s, 10 Hz GGA+RMC.
 * Used when a test needs a recording it controls; the real shipped recordings live in resources/.
 */
function checksum(body: string): string {
  let c = 0;
  for (let i = 0; i < body.length; i++) c ^= body.charCodeAt(i);
  return c.toString(16).toUpperCase().padStart(2, '0');
}

const sentence = (body: string): string => `$${body}*${checksum(body)}\r\n`;

function dm(value: number, degDigits: number): string {
  const abs = Math.abs(value);
  const deg = Math.floor(abs);
  const min = (abs - deg) * 60;
  return `${String(deg).padStart(degDigits, '0')}${min.toFixed(5).padStart(8, '0')}`;
}

export function syntheticNmea(seconds = 60, hz = 10): string {
  const lat0 = 37.29;
  const lon0 = 127.2;
  const r = 300 / (2 * Math.PI);
  const speed = 25;
  const lines: string[] = [];
  const start = Date.UTC(2024, 4, 1, 10, 0, 0);
  for (let i = 0; i < seconds * hz; i++) {
    const t = i / hz;
    const a = (speed * t) / r;
    const lat = lat0 + (r * Math.sin(a)) / 111_320;
    const lon = lon0 + (r * Math.cos(a)) / (111_320 * Math.cos((lat0 * Math.PI) / 180));
    const d = new Date(start + t * 1000);
    const hhmmss = `${String(d.getUTCHours()).padStart(2, '0')}${String(d.getUTCMinutes()).padStart(2, '0')}${String(d.getUTCSeconds()).padStart(2, '0')}.${String(Math.round(d.getUTCMilliseconds() / 10)).padStart(2, '0')}`;
    const ddmmyy = `${String(d.getUTCDate()).padStart(2, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCFullYear() % 100).padStart(2, '0')}`;
    const latS = `${dm(lat, 2)},${lat >= 0 ? 'N' : 'S'}`;
    const lonS = `${dm(lon, 3)},${lon >= 0 ? 'E' : 'W'}`;
    const course = (((a * 180) / Math.PI + 180) % 360).toFixed(1);
    lines.push(sentence(`GPGGA,${hhmmss},${latS},${lonS},1,09,0.9,42.0,M,18.0,M,,`));
    lines.push(sentence(`GPRMC,${hhmmss},A,${latS},${lonS},${(speed / 0.514444).toFixed(2)},${course},${ddmmyy},,,A`));
  }
  return lines.join('');
}

export function writeSyntheticNmea(path: string, seconds?: number): string {
  writeFileSync(path, syntheticNmea(seconds));
  return path;
}
