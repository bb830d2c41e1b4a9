/**
 * Validation of the parameters people type (command-line flags of the unit and the companion):
 * one set of rules and one wording. An error names the parameter, says what it takes and shows
 * what it got, cut to 40 characters.
 */
export class ParameterError extends Error {
  override readonly name = 'ParameterError';
}

const shown = (raw: string) => JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
// Plain decimal notation only: no hex, exponents, "Infinity" or blanks that Number() would take.
const DECIMAL = /^-?\d{1,15}(\.\d{1,15})?$/;

/** A TCP port, 0-65535 (0: any free port). */
export function parsePort(name: string, raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new ParameterError(`${name} must be a whole number from 0 to 65535, not ${shown(raw)}.`);
  return Number(raw);
}

export interface NumberRange {
  min: number;
  max: number;
  /** The minimum itself is refused (a timeout above 0). */
  aboveMin?: boolean;
  integer?: boolean;
  /** Said after the range: " seconds". */
  unit?: string;
}

export function parseNumber(name: string, raw: string, r: NumberRange): number {
  const n = Number(raw);
  const ok = DECIMAL.test(raw) && (r.aboveMin ? n > r.min : n >= r.min) && n <= r.max && (!r.integer || Number.isInteger(n));
  if (ok) return n;
  const kind = r.integer ? 'a whole number' : 'a number';
  const range = r.aboveMin ? `above ${r.min} and at most ${r.max}` : `from ${r.min} to ${r.max}`;
  throw new ParameterError(`${name} must be ${kind} ${range}${r.unit ?? ''}, not ${shown(raw)}.`);
}

export function parseChoice<T extends string>(name: string, raw: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw new ParameterError(`${name} must be one of ${choices.join(', ')}, not ${shown(raw)}.`);
}
