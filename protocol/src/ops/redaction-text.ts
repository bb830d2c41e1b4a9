/**
 * Free-text redaction rules shared by the unit (before it logs) and the companion (before it
 * stores or exports). Every rule runs in time linear in the text: the regular expressions are
 * alternations of literals or have bounded quantifiers, and what follows a secret word is read by
 * a scanner that reads no character more than a few times (redaction-named-values.ts).
 */
import { REDACTED, redactNamedValues } from './redaction-named-values.js';

export { REDACTED, MAX_QUOTED_VALUE } from './redaction-named-values.js';

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/g;
const PEM_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----/g;
// Bounded whitespace; the token is consumed by the replacement, so nothing is read twice; a
// scheme word is not a token ("bearer Bearer x").
const BEARER = /\b(bearer|basic)\s{1,16}(?!(?:bearer|basic)(?![^\s"',;})\]]))([^\s"',;})\]]{6,})/gi;
/** Matches a text that may hold a secret at all (the clean common case skips every rule). */
export const MAY_HOLD = /password|passphrase|passwd|pass|psk|secret|token|api[-_ ]?key|private[-_ ]?key|authori[sz]ation|cookie|credential|wpa[-_]?key|session[-_]?key|bearer|basic|PRIVATE KEY/i;

/** Whether a text may hold a secret at all (the clean common case skips every rule). */
export function mayHoldSecretText(text: string): boolean {
  return MAY_HOLD.test(text);
}

/** PEM private-key blocks, through their END line (or to the end of the text when it is cut). */
function redactPem(s: string): string {
  if (!s.includes('PRIVATE KEY')) return s;
  let out = '';
  let copied = 0;
  PEM_BEGIN.lastIndex = 0;
  for (let m = PEM_BEGIN.exec(s); m; m = PEM_BEGIN.exec(s)) {
    PEM_END.lastIndex = m.index + m[0].length;
    const end = PEM_END.exec(s);
    const stop = end ? end.index + end[0].length : s.length;
    out += s.slice(copied, m.index) + REDACTED;
    copied = stop;
    PEM_BEGIN.lastIndex = stop;
  }
  return out + s.slice(copied);
}

/** `Bearer x` anywhere (x: 6+ characters up to a space, quote or , ; } ) ]); `Basic x` unless x is a plain word ("basic checks"). */
function redactSchemes(s: string): string {
  return s.replace(BEARER, (m: string, scheme: string, token: string, at: number) =>
    s.startsWith(REDACTED, at + m.length - token.length) || (scheme.toLowerCase() === 'basic' && /^[a-z]+$/.test(token)) ? m : `${scheme} ${REDACTED}`,
  );
}

/**
 * Redacts secrets inside free text (messages, error text, stacks), and the runtime secrets
 * `literals` matches (a global, case-insensitive alternation of escaped literals). Idempotent;
 * linear time.
 */
export function redactFreeText(text: string, literals: RegExp | null = null): string {
  let s = text;
  if (literals) {
    literals.lastIndex = 0;
    if (literals.test(s)) s = s.replace(literals, REDACTED);
  }
  if (!mayHoldSecretText(s)) return s;
  s = redactPem(s);
  s = redactNamedValues(s);
  return redactSchemes(s);
}
