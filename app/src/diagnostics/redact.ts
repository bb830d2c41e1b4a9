/**
 * Companion-side redaction of diagnostics (defence in depth: the unit redacts before it logs,
 * the companion redacts again before it stores or exports anything). Pure functions.
 *
 * Removed: values of fields whose name says secret (password, passphrase, psk, secret, token,
 * api key, private key, authorization, cookie, credential — any letter case, nested anywhere),
 * and inside free text the value after such a word (`psk=...`, `"password": "..."`,
 * `passphrase hunter2`, `Authorization: Bearer ...`), PEM private-key blocks and long secret-
 * looking tokens after `bearer`.
 */
export const REDACTED = '[redacted]';

const SECRET_KEY = /password|passphrase|passwd|(?:^|[^a-z])pass(?:$|[^a-z])|psk|secret|token|api[-_ ]?key|private[-_ ]?key|authori[sz]ation|cookie|credential|wpa[-_]?key|session[-_]?key/i;

/** Field names whose value is always removed (wherever they occur). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

// "pass" alone only right before a separator (not "passed", "compass").
const WORD = String.raw`(?:password|passphrase|passwd|pass(?=\s*[:=])|psk|secret|token|api[-_ ]?key|private[-_ ]?key|authori[sz]ation|cookie|credentials?|wpa[-_]?key|session[-_]?key)`;
// `word` [ quote ] separator [ quote ] value — the value ends at a quote (when quoted) or at whitespace / , ; } ) ]
const QUOTED = new RegExp(String.raw`(${WORD}[A-Za-z0-9_-]*\\?["']?\s*(?:[:=]|\s+is\s+|\s+was\s+|\s+)\s*(?:bearer\s+|basic\s+)?)(\\?["'])((?:(?!\2).){1,512}?)\2`, 'gi');
const BARE = new RegExp(String.raw`(${WORD}[A-Za-z0-9_-]*\\?["']?\s*(?:[:=]|\s+is\s+|\s+was\s+|\s+)\s*(?:bearer\s+|basic\s+)?)(?!\[redacted\])([^\s"',;})\]]{1,512})`, 'gi');
const PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const BEARER = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/** Redacts secrets inside free text (messages, error text, stacks). Idempotent. */
export function redactText(text: string): string {
  if (text.length === 0 || !mayHoldSecret(text)) return text;
  let out = text.replace(PEM, REDACTED);
  out = out.replace(QUOTED, (_m, head: string, q: string, value: string) => (value === REDACTED ? `${head}${q}${value}${q}` : `${head}${q}${REDACTED}${q}`));
  out = out.replace(BARE, (m, head: string, value: string) => (/^(?:is|was|the|a|an|for|of|to|and|or|not|set|field|missing|invalid|wrong|changed|required|length)$/i.test(value) ? m : `${head}${REDACTED}`));
  out = out.replace(BEARER, (_m, kind: string) => `${kind} ${REDACTED}`);
  return out;
}

/**
 * Deep copy of a JSON value with secret-named fields replaced and every string redacted as
 * text. Depth and size are bounded (deeper parts become "[too deep]").
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 32) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSecretKey(k) && v !== null && v !== '' && typeof v !== 'boolean' ? REDACTED : redactValue(v, depth + 1);
  }
  return out;
}

/** Whether a string may hold a secret at all (fast path: most log messages do not). */
export function mayHoldSecret(text: string): boolean {
  return SECRET_KEY.test(text) || /pass\s*[:=]/i.test(text) || text.includes('PRIVATE KEY') || /bearer|basic/i.test(text);
}
