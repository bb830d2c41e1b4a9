import type { DeviceEntry } from '@pitwall/protocol';

/** Device names are untrusted: strip control characters so they cannot drive the terminal. */
export const cleanText = (s: string): string => [...s].map((c) => (/\p{Cc}/u.test(c) ? '?' : c)).join('');

/**
 * Rows as aligned columns, one line each (no trailing newline). Each cell is cleaned, not the
 * table, so the line breaks stay and a cell cannot break a line of its own.
 */
export function textTable(rows: string[][]): string {
  const cells = rows.map((r) => r.map(cleanText));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function formatTable(units: DeviceEntry[]): string {
  const rows = [['ID', 'NAME', 'FW', 'LINKS']].concat(
    units.map((u) => [u.id, u.name, u.firmware, u.links.map((l) => `${l.kind}:${l.target}${l.online ? '' : '(offline)'}`).join(' ')]),
  );
  return `${textTable(rows)}\n`;
}
