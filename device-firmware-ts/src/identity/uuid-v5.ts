import { createHash } from 'node:crypto';

/** Namespace of Pitwall unit ids (fixed forever: changing it changes every unit's id). */
export const PITWALL_UNIT_NAMESPACE = '6f1c2b8e-3d4a-4f5b-9c7e-2a1d0e9b8c73';

/** RFC 4122 name-based UUID (SHA-1), lower-case. */
export function uuidV5(name: string, namespace = PITWALL_UNIT_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
