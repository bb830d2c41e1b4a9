import { MAY_HOLD, REDACTED, mayHoldSecretText, redactFreeText } from './redaction-text.js';

export { REDACTED, MAX_QUOTED_VALUE, mayHoldSecretText } from './redaction-text.js';

/**
 * The one set of redaction rules, run by the unit before anything reaches its log, ring or
 * crash dump, and by the companion again before it stores or exports diagnostics. Where the two
 * sides had different rules, the stricter sensible one was kept:
 *
 * - Field names (any letter case, at any depth): a name *containing* password, passphrase,
 *   passwd, secret, token, psk, authorization, cookie, credential, api/private/wpa/session key;
 *   "pass" in any case (`pass`, `wifi_pass`, `WIFIPASS`) except inside ordinary words (passed,
 *   passes, passing, passage, passive, passport, compass, bypass, surpass); and any name *ending*
 *   in "key" (`key`, `signingKey`) except a public key.
 *   Their value goes unless it is null, empty or a boolean (`hasPassword: true` says nothing).
 * - Free text: the value after a secret word (`psk=x`, `"password": "x"`, `passphrase x`,
 *   `secret is "x y"`, `Authorization: Bearer x`); "pass" alone only before `:`/`=`. After
 *   `:`/`=` every value goes; after a space a prose word ("password is set") stays. A quoted value
 *   goes up to its closing quote, looked for at most 512 characters ahead; past that (or unclosed)
 *   the 512 characters go and the unbroken run after them, so a long token goes whole. A bare
 *   value goes up to whitespace or `" ' , ; } ) ]` (a query's `&rest` goes with it).
 * - PEM private-key blocks, through the END line or to the end of a cut text.
 * - `Bearer x` with x of 6+ characters; `Basic x` too unless x is a plain lower-case word.
 * - Values registered at runtime (a Wi-Fi passphrase being applied), in any letter case.
 * - Depth: containers nested deeper than 8 become "[too deep]"; cycles "[circular]". Errors become
 *   { type, message, stack, ...fields, cause }, bytes "[N bytes]", dates ISO text, bigints text.
 *
 * Every rule runs in time linear in its input (redaction-text.ts); redaction is idempotent.
 */
export const REDACTION_MAX_DEPTH = 8;
const MIN_RUNTIME_SECRET = 4;

const SECRET_NAME = /password|passphrase|passwd|secret|token|psk|authori[sz]ation|cookie|credential|(?:api|private|wpa|session)[-_ ]?key/i;
// Any letter case: names arrive as `WIFIPASS`, `wifiPass`, `wifi_pass`; ordinary words stay.
const PASS_WORD = /(?<!com|by|sur)pass(?!ed|es|ing|age|enger|ive|port)/i;
const KEY_SUFFIX = /key$/i;
const PUBLIC_KEY = /public[-_ ]?key$/i;

const keyCache = new Map<string, boolean>();

/**
 * Whether a text (a message, or a whole JSON line: its field names included) may hold anything
 * these rules remove. False means redaction would return it unchanged (runtime secrets aside).
 */
export function mayHoldSecret(text: string): boolean {
  return mayHoldSecretText(text) || /key/i.test(text);
}

/** Whether a field of this name holds a secret (its value is always removed). */
export function isSecretKey(key: string): boolean {
  let hit = keyCache.get(key);
  if (hit === undefined) {
    hit = SECRET_NAME.test(key) || PASS_WORD.test(key) || (KEY_SUFFIX.test(key) && !PUBLIC_KEY.test(key));
    if (keyCache.size >= 4096) keyCache.clear();
    keyCache.set(key, hit);
  }
  return hit;
}

export interface RedactedError {
  type: string;
  message: string;
  stack: string | null;
  [k: string]: unknown;
}

/**
 * The rules with the runtime-registered secrets of one process (the unit's logger holds one;
 * the companion uses the module-level functions below, which have none).
 */
export class Redactor {
  private secrets: string[] = [];
  private literals: RegExp | null = null;
  // One precompiled scan of a text for anything a rule or a runtime secret could remove: the
  // common text, with nothing of either, is read once and returned as it is.
  private mayHold: RegExp = MAY_HOLD;

  /** Removes `value` from every later text, in any letter case (values under 4 characters are ignored). */
  addSecret(value: string): void {
    if (typeof value !== 'string' || value.length < MIN_RUNTIME_SECRET) return;
    const lower = value.toLowerCase();
    // A secret inside the marker itself would make redaction never settle.
    if (this.secrets.includes(lower) || REDACTED.includes(lower)) return;
    // Longest first, so a secret containing another goes whole.
    this.secrets = [...this.secrets, lower].sort((a, b) => b.length - a.length);
    const alternation = this.secrets.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    this.literals = new RegExp(alternation, 'gi');
    this.mayHold = new RegExp(`${MAY_HOLD.source}|${alternation}`, 'i');
  }

  isSecretKey(key: string): boolean {
    return isSecretKey(key);
  }

  text(s: string): string {
    return this.mayHold.test(s) ? redactFreeText(s, this.literals) : s;
  }

  /**
   * Whether `value(v)` could differ from `v` (or `v` is not plain JSON data). False means `v` can
   * be written as it is: the logger's common case, checked without copying anything.
   */
  mayChange(v: unknown, depth = 0): boolean {
    if (typeof v === 'string') return this.textMayChange(v);
    if (v === null || typeof v === 'number' || typeof v === 'boolean' || v === undefined) return false;
    if (typeof v !== 'object' || depth >= REDACTION_MAX_DEPTH) return true;
    if (Array.isArray(v)) {
      for (const x of v) if (this.mayChange(x, depth + 1)) return true;
      return false;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return true; // errors, dates, bytes, class instances
    for (const k in v) {
      if (isSecretKey(k) || this.mayChange((v as Record<string, unknown>)[k], depth + 1)) return true;
    }
    return false;
  }

  private textMayChange(s: string): boolean {
    return this.mayHold.test(s);
  }

  /** A redacted copy of `value` (plain data; errors become { type, message, stack, ... }). */
  value(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'bigint') return value.toString();
      return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
    }
    if (seen.has(value)) return '[circular]';
    if (depth >= REDACTION_MAX_DEPTH) return '[too deep]';
    seen.add(value);
    if (value instanceof Error) return this.error(value, depth, seen);
    if (value instanceof Uint8Array) return `[${value.length} bytes]`;
    if (Array.isArray(value)) return value.map((v) => this.value(v, depth + 1, seen));
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[k];
      out[k] = isSecretKey(k) && v !== null && v !== undefined && v !== '' && typeof v !== 'boolean' ? REDACTED : this.value(v, depth + 1, seen);
    }
    return out;
  }

  error(err: Error, depth = 0, seen: WeakSet<object> = new WeakSet()): RedactedError {
    const out: RedactedError = {
      type: this.text(String(err.name || 'Error')),
      message: this.text(String(err.message ?? '')),
      stack: typeof err.stack === 'string' ? this.text(err.stack) : null,
    };
    for (const k of Object.keys(err)) {
      if (k === 'message' || k === 'stack' || k === 'name') continue;
      const v = (err as unknown as Record<string, unknown>)[k];
      out[k] = isSecretKey(k) ? REDACTED : this.value(v, depth + 1, seen);
    }
    if (err.cause !== undefined) out.cause = this.value(err.cause, depth + 1, seen);
    return out;
  }
}

const shared = new Redactor();

/** Redacts secrets inside free text (messages, error text, stacks). Idempotent. */
export function redactText(text: string): string {
  return shared.text(text);
}

/** A redacted deep copy of a value (see the rules above). */
export function redactValue(value: unknown): unknown {
  return shared.value(value);
}
