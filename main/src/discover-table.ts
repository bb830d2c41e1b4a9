import type { DeviceEntry } from '@pitwall/protocol';

/** Device names are untrusted: strip control characters so they cannot drive the terminal. */
export const cleanText = (s: string): string => [...s].map((c) => (/\p{Cc}/u.test(c) ? '?' : c)).join('');

export function formatTable(units: DeviceEntry[]): string {
  const rows = [['ID', 'NAME', 'FW', 'LINKS']].concat(
    units.map((u) => [u.id, cleanText(u.name), cleanText(u.firmware), u.links.map((l) => `${l.kind}:${cleanText(l.target)}${l.online ? '' : '(offline)'}`).join(' ')]),
  );
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c)).join('  ').trimEnd() + '\n').join('');
}
