export { seededRandom } from '../../device-firmware-ts/src/hal/sim/seeded-random.js';

export function randomBytes(rand: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}
