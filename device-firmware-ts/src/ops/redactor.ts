/** What a redacted value becomes. */
export const REDACTED = '[redacted]';

const SECRET_KEY = /pass(word|phrase)?|psk|secret|token|key$|private_?key|authorization|cookie|credential/i;
const PEM_PRIVATE = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
// `psk=x`, `password: "x"`, `"passphrase":"x"`, `token x`: the name stays, the value goes.
const NAMED_VALUE =
  /((?:pass(?:word|phrase)?|psk|secret|token|api[-_]?key|private[-_]?key|authorization|cookie|credentials?)["']?\s*[:=]\s*["']?)(?:bearer\s+|basic\s+)?([^\s"',;&}]+)/gi;
const BEARER = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;
const MAX_DEPTH = 8;
const MIN_SECRET = 4;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes secrets from log fields, message text and error text: by key name (any letter case,
 * nested), by shape (PEM private keys, `psk=...`, bearer tokens), and any value registered at
 * runtime with addSecret (matched case-insensitively, e.g. a Wi-Fi passphrase being applied).
 */
export class Redactor {
  private secrets = new Set<string>();
  private secretPattern: RegExp | null = null;

  addSecret(value: string): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET || this.secrets.has(value.toLowerCase())) return;
    this.secrets.add(value.toLowerCase());
    // Longest first, so a secret containing another is removed whole.
    const alternatives = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.secretPattern = new RegExp(alternatives.join('|'), 'gi');
  }

  isSecretKey(key: string): boolean {
    return SECRET_KEY.test(key);
  }

  text(s: string): string {
    // Cheap pre-checks keep the common (clean) message off the regex paths.
    if (this.secretPattern) {
      this.secretPattern.lastIndex = 0;
      if (this.secretPattern.test(s)) s = s.replace(this.secretPattern, REDACTED);
    }
    if (s.includes('PRIVATE KEY')) s = s.replace(PEM_PRIVATE, REDACTED);
    if (/[:=]|bearer|basic/i.test(s)) {
      s = s.replace(NAMED_VALUE, (_m, name: string) => `${name}${REDACTED}`);
      s = s.replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`);
    }
    return s;
  }

  /** A redacted copy of `value` (plain data; errors become { type, message, stack }). */
  value(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object') {
      return typeof value === 'bigint' ? value.toString() : typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
    }
    if (seen.has(value)) return '[circular]';
    if (depth >= MAX_DEPTH) return '[too deep]';
    seen.add(value);
    if (value instanceof Error) return this.error(value, depth, seen);
    if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
    if (Array.isArray(value)) return value.map((v) => this.value(v, depth + 1, seen));
    if (value instanceof Date) return value.toISOString();
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = this.isSecretKey(k) && v !== null && v !== undefined && v !== '' ? REDACTED : this.value(v, depth + 1, seen);
    }
    return out;
  }

  error(err: Error, depth = 0, seen: WeakSet<object> = new WeakSet()): { type: string; message: string; stack: string | null; [k: string]: unknown } {
    const out: { type: string; message: string; stack: string | null; [k: string]: unknown } = {
      type: err.name || 'Error',
      message: this.text(String(err.message ?? '')),
      stack: typeof err.stack === 'string' ? this.text(err.stack) : null,
    };
    for (const [k, v] of Object.entries(err)) {
      if (k === 'message' || k === 'stack' || k === 'name') continue;
      out[k] = this.isSecretKey(k) ? REDACTED : this.value(v, depth + 1, seen);
    }
    if (err.cause !== undefined) out.cause = this.value(err.cause, depth + 1, seen);
    return out;
  }
}
