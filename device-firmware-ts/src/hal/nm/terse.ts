/**
 * nmcli's terse (`-t`) tabular output: fields joined by `:`, every `:` and `\` inside a value
 * escaped with `\` (nothing else). Values are never trimmed: IN-USE is " " or "*", and an SSID
 * may begin or end with spaces.
 */
export function splitTerse(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      continue;
    }
    if (c === ':') {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * The records of a terse listing of `fields` columns. A raw newline inside a value (an SSID
 * holding one) splits a record over lines: lines are joined back until the record has all its
 * fields. Blank lines (nmcli's separator between devices) are skipped.
 */
export function terseRecords(stdout: string, fields: number): string[][] {
  const records: string[][] = [];
  let pending: string | null = null;
  for (const line of stdout.split('\n')) {
    const joined: string = pending === null ? line : `${pending}\n${line}`;
    if (pending === null && line === '') continue;
    const parts = splitTerse(joined);
    if (parts.length < fields) {
      pending = joined;
      continue;
    }
    pending = null;
    records.push(parts.length === fields ? parts : parts.slice(0, fields));
  }
  return records;
}

/** SSID-HEX (upper-case hex, no separators; empty for a hidden network) to bytes. */
export function hexToBytes(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) return null;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** The SSID as text when its bytes are valid UTF-8 without control characters; null otherwise (show the hex). */
export function ssidText(bytes: Uint8Array): string | null {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return /\p{Cc}/u.test(text) ? null : text;
  } catch {
    return null;
  }
}
