import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Hlc, compareHlc } from './hlc.js';

/** A last-writer-wins register: the value with the latest stamp. */
export const LwwRegister = <T extends TSchema>(value: T) => Type.Object({ value, at: Hlc }, { additionalProperties: false });
export interface Lww<T> {
  value: T;
  at: Static<typeof Hlc>;
}

/**
 * The join of two registers: the later stamp; on equal stamps (one laptop cannot make two, but a
 * peer can send anything) the value whose JSON sorts last, so every order of merging agrees.
 */
export function mergeLww<T>(a: Lww<T>, b: Lww<T>): Lww<T> {
  const c = compareHlc(a.at, b.at);
  if (c !== 0) return c > 0 ? a : b;
  return JSON.stringify(a.value) >= JSON.stringify(b.value) ? a : b;
}

export function mergeOptionalLww<T>(a: Lww<T> | undefined, b: Lww<T> | undefined): Lww<T> | undefined {
  return a && b ? mergeLww(a, b) : (a ?? b);
}
