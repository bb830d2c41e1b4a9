/**
 * UBX frames (u-blox receiver description, "UBX frame structure"): sync 0xB5 0x62, class, id,
 * payload length (2 bytes, little-endian), payload, and two checksum bytes CK_A CK_B, an 8-bit
 * Fletcher sum over class, id, length and payload.
 */
export const UBX_SYNC = [0xb5, 0x62] as const;
/** Largest payload we accept from a receiver; config answers are a few bytes. */
const MAX_PAYLOAD = 1024;

export interface UbxFrame {
  cls: number;
  id: number;
  payload: Uint8Array;
}

/** CK_A, CK_B over `bytes` (the frame from class to the end of the payload). */
export function ubxChecksum(bytes: Uint8Array): [number, number] {
  let a = 0;
  let b = 0;
  for (const x of bytes) {
    a = (a + x) & 0xff;
    b = (b + a) & 0xff;
  }
  return [a, b];
}

export function encodeUbx(cls: number, id: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  if (payload.length > 0xffff) throw new RangeError(`UBX payload of ${payload.length} bytes exceeds 65535`);
  const out = Buffer.alloc(8 + payload.length);
  out[0] = UBX_SYNC[0];
  out[1] = UBX_SYNC[1];
  out[2] = cls;
  out[3] = id;
  out.writeUInt16LE(payload.length, 4);
  out.set(payload, 6);
  const [a, b] = ubxChecksum(out.subarray(2, 6 + payload.length));
  out[6 + payload.length] = a;
  out[7 + payload.length] = b;
  return out;
}

/**
 * Finds UBX frames in a byte stream that also carries NMEA text: bytes outside a frame are
 * skipped, a frame with a bad checksum or an oversized length is dropped and the search resumes
 * one byte after its sync.
 */
export class UbxParser {
  private buf = Buffer.alloc(0);

  push(chunk: Uint8Array): UbxFrame[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const frames: UbxFrame[] = [];
    for (;;) {
      const start = this.findSync();
      if (start < 0) {
        // Keep a trailing 0xB5: it may be the first half of a sync split across chunks.
        this.buf = this.buf.at(-1) === UBX_SYNC[0] ? this.buf.subarray(this.buf.length - 1) : Buffer.alloc(0);
        return frames;
      }
      this.buf = this.buf.subarray(start);
      if (this.buf.length < 6) return frames;
      const len = this.buf.readUInt16LE(4);
      if (len > MAX_PAYLOAD) {
        this.buf = this.buf.subarray(1);
        continue;
      }
      if (this.buf.length < 8 + len) return frames;
      const [a, b] = ubxChecksum(this.buf.subarray(2, 6 + len));
      if (a !== this.buf[6 + len] || b !== this.buf[7 + len]) {
        this.buf = this.buf.subarray(1);
        continue;
      }
      frames.push({ cls: this.buf[2]!, id: this.buf[3]!, payload: Uint8Array.from(this.buf.subarray(6, 6 + len)) });
      this.buf = this.buf.subarray(8 + len);
    }
  }

  private findSync(): number {
    for (let i = 0; i + 1 < this.buf.length; i++) if (this.buf[i] === UBX_SYNC[0] && this.buf[i + 1] === UBX_SYNC[1]) return i;
    return -1;
  }
}
