/**
 * The named-value rule of free-text redaction: at each secret word, `name [sep] value`, and the
 * value goes (`psk=x`, `"password": "x"`, `passphrase hunter2`, `Authorization: Bearer x`).
 * Every step reads a bounded number of characters except the runs (a name's tail, a bare value),
 * and those are remembered, so no character is read more than a few times whatever the layout of
 * words, quotes and separators: the time is linear in the text.
 */
export const REDACTED = '[redacted]';

// Longest first: an alternation takes the first alternative that matches at a position.
const SECRET_WORD = /password|passphrase|passwd|pass|psk|secret|token|api[-_ ]?key|private[-_ ]?key|authori[sz]ation|cookie|credential|wpa[-_]?key|session[-_]?key/gi;

/** Longest run of spaces read around a separator, and longest quoted value looked for. */
const MAX_GAP = 16;
export const MAX_QUOTED_VALUE = 512;
// Words that follow "password" in prose and are not the secret ("password is set").
const STOP_WORDS = new Set(['is', 'was', 'the', 'a', 'an', 'for', 'of', 'to', 'and', 'or', 'not', 'set', 'field', 'missing', 'invalid', 'wrong', 'changed', 'required', 'length', 'rejected', 'failed']);

const isNameChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
// A bare value ends at whitespace, a quote or , ; } ) ]
const endsBare = (c: number) => isSpace(c) || c === 34 || c === 39 || c === 44 || c === 59 || c === 125 || c === 41 || c === 93;

function skipSpaces(s: string, i: number): number {
  const end = Math.min(s.length, i + MAX_GAP);
  while (i < end && isSpace(s.charCodeAt(i))) i++;
  return i;
}

function startsWithWord(s: string, i: number, word: string): boolean {
  return s.substr(i, word.length).toLowerCase() === word && (i + word.length >= s.length || isSpace(s.charCodeAt(i + word.length)));
}

/**
 * After a secret word's name (ending at `i`): where its value starts, and whether the separator
 * was `:`/`=` (then every value goes) or only words (then a stop word such as "is set" stays).
 */
function readSeparator(s: string, i: number, needsColon: boolean): { at: number; strong: boolean } | null {
  if (s.charCodeAt(i) === 92 && (s.charCodeAt(i + 1) === 34 || s.charCodeAt(i + 1) === 39)) i += 2;
  else if (s.charCodeAt(i) === 34 || s.charCodeAt(i) === 39) i++;
  const afterName = i;
  i = skipSpaces(s, i);
  const c = s.charCodeAt(i);
  let strong = false;
  if (c === 58 || c === 61) {
    strong = true;
    i = skipSpaces(s, i + 1);
  } else if (needsColon || i === afterName) {
    return null;
  } else {
    for (const w of ['is', 'was']) if (startsWithWord(s, i, w)) i = skipSpaces(s, i + w.length);
  }
  for (const scheme of ['bearer', 'basic']) if (startsWithWord(s, i, scheme)) i = skipSpaces(s, i + scheme.length);
  return i < s.length ? { at: i, strong } : null;
}

interface Word {
  at: number;
  end: number;
}

class NamedValues {
  private readonly words: Word[] = [];
  private run: [number, number, number] = [-1, -1, 0]; // [from, to, kind] of the last run read

  constructor(private readonly s: string) {
    SECRET_WORD.lastIndex = 0;
    for (let m = SECRET_WORD.exec(s); m; m = SECRET_WORD.exec(s)) this.words.push({ at: m.index, end: m.index + m[0].length });
  }

  /** Where the run of `kind` characters starting at `i` ends (1: name characters, 2: a bare value). */
  private runEnd(i: number, kind: number): number {
    const [from, to, k] = this.run;
    if (k === kind && i >= from && i <= to) return to;
    const inside = kind === 1 ? isNameChar : (c: number) => !endsBare(c);
    let j = i;
    while (j < this.s.length && inside(this.s.charCodeAt(j))) j++;
    this.run = [i, j, kind];
    return j;
  }

  /** Where the word's name ends, and its separator when one follows. */
  private parse(w: Word): { nameEnd: number; sep: { at: number; strong: boolean } | null } {
    const s = this.s;
    // "pass" alone only right before its separator ("passed", "compass=" stay); other words take
    // the rest of their name with them ("tokenExpiry=", "credentials:").
    const isPass = w.end - w.at === 4 && s.slice(w.at, w.end).toLowerCase() === 'pass';
    if (isPass && w.end < s.length && isNameChar(s.charCodeAt(w.end))) return { nameEnd: w.end, sep: null };
    const nameEnd = isPass ? w.end : this.runEnd(w.end, 1);
    return { nameEnd, sep: readSeparator(s, nameEnd, isPass) };
  }

  /** The part of the value starting at `i` to remove ([from, to)), or null when there is none. */
  private valueSpan(i: number, strong: boolean): [number, number] | null {
    const s = this.s;
    const escaped = s.charCodeAt(i) === 92;
    const q = s.charCodeAt(escaped ? i + 1 : i);
    if (q === 34 || q === 39) {
      const from = i + (escaped ? 2 : 1);
      if (s.startsWith(REDACTED, from)) return null;
      const close = s.slice(from, from + MAX_QUOTED_VALUE + 2).indexOf(escaped ? `\\${String.fromCharCode(q)}` : String.fromCharCode(q));
      if (close === 0) return null;
      if (close > 0 && close <= MAX_QUOTED_VALUE) return [from, from + close];
      // Past the cap (or with no closing quote) the value is the window plus the unbroken run that
      // goes on after it, so a long token (a JWT) goes whole and long prose keeps its tail.
      const end = Math.min(s.length, from + MAX_QUOTED_VALUE);
      return [from, end < s.length && !endsBare(s.charCodeAt(end)) ? this.runEnd(end, 2) : end];
    }
    if (s.startsWith(REDACTED, i)) return null;
    const j = this.runEnd(i, 2);
    if (j === i || (!strong && STOP_WORDS.has(s.slice(i, j).toLowerCase()))) return null;
    return [i, j];
  }

  redact(): string {
    const s = this.s;
    let out = '';
    let copied = 0;
    let pos = 0;
    for (let w = 0; w < this.words.length; w++) {
      const word = this.words[w]!;
      if (word.at < pos) continue;
      const { nameEnd, sep } = this.parse(word);
      pos = nameEnd;
      const span = sep && this.valueSpan(sep.at, sep.strong);
      if (!span) continue;
      // A value that holds another name with its separator (`token: "psk": "x"`) ends where that
      // name begins, so the inner value is read on its own instead of being passed over.
      for (let v = w + 1; v < this.words.length && this.words[v]!.at < span[1]; v++) {
        if (this.words[v]!.at >= span[0] && this.parse(this.words[v]!).sep) {
          span[1] = this.words[v]!.at;
          break;
        }
      }
      pos = span[1];
      if (span[1] <= span[0]) continue;
      out += s.slice(copied, span[0]) + REDACTED;
      copied = span[1];
    }
    return copied === 0 ? s : out + s.slice(copied);
  }
}

/** Removes the value after every secret word of `s` that has one. */
export function redactNamedValues(s: string): string {
  return new NamedValues(s).redact();
}
