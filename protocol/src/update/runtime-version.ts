import { Type } from '@sinclair/typebox';

/** A runtime version as bundles carry it: MAJOR.MINOR.PATCH, numbers only (no pre-release tags). */
export const RuntimeVersion = Type.String({ pattern: '^(0|[1-9][0-9]{0,5})\\.(0|[1-9][0-9]{0,5})\\.(0|[1-9][0-9]{0,5})$' });

const parts = (v: string): number[] => v.split('.').map(Number);

/** Negative when a < b, 0 when equal, positive when a > b. Both must match RuntimeVersion. */
export function compareRuntimeVersions(a: string, b: string): number {
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
