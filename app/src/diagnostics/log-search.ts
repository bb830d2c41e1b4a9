// Numeric levels (pino's, protocol's table), stored so "warn and above" is one comparison.
export { LOG_LEVEL_NUMBER as LEVEL_NUMBER, LOG_LEVEL_BY_NUMBER as LEVEL_NAME } from '@pitwall/protocol';

/**
 * Turns what a person typed into an FTS5 query that cannot be a syntax error: every word or
 * "quoted phrase" becomes an FTS5 string (double quotes doubled inside), so operators (AND, OR,
 * NOT, NEAR), column filters, parentheses, `^` and `:` are searched as text. A bare word ending
 * in `*` stays a prefix search. All terms must match (implicit AND). Returns null when nothing
 * searchable is left (the caller then does not filter on text).
 */
export function ftsQuery(input: string): string | null {
  const terms: string[] = [];
  const re = /"([^"]*)"?|(\S+)/g;
  for (const m of input.normalize('NFC').matchAll(re)) {
    const phrase = m[1];
    const word = m[2];
    let text = phrase ?? word ?? '';
    let prefix = false;
    if (word !== undefined && /\*+$/.test(word)) {
      text = word.replace(/\*+$/, '');
      prefix = true;
    }
    // Only letters and digits make FTS5 (unicode61) tokens; a term without any matches nothing useful.
    if (!/[\p{L}\p{N}]/u.test(text)) continue;
    // eslint-disable-next-line no-control-regex
    const clean = text.replace(/[\u0000-\u001f]/g, ' ').replaceAll('"', '""');
    terms.push(`"${clean}"${prefix ? ' *' : ''}`);
    if (terms.length >= 16) break;
  }
  return terms.length === 0 ? null : terms.join(' ');
}

/** Parses an ISO time to epoch ms, or null for an empty/invalid one. */
export function isoToMs(iso: string | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}
