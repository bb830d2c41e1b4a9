/**
 * Reading the LSM6DSOX FIFO (AN5272 section 9): FIFO_STATUS1/2 say how many words wait and
 * whether the FIFO overran; the words come out in bursts from FIFO_DATA_OUT_TAG (the address
 * wraps from Z_H back to the tag), each a tag byte (sensor, 2-bit time-slot counter, parity)
 * and X, Y, Z. A gyro word and an accelerometer word with the same counter are one sample.
 */
import type { I2cBus } from '../i2c-bus.js';
import { FIFO, fifoTagParityOk, LSM6DSOX as R } from './lsm6dsox-registers.js';

/** Words per burst: 4 x 7 = 28 bytes, inside the 32-byte limit of an SMBus/i2c-dev block read. */
const BURST_WORDS = 4;

export type Triple = [number, number, number];

export interface FifoDrain {
  /** Complete samples, oldest first, in raw output codes, with their time slot's TAG_CNT. */
  samples: { gyro: Triple; accel: Triple; cnt: number }[];
  /** The FIFO overran since the last drain: words were overwritten before they were read. */
  overrun: boolean;
  /** Half samples thrown away (their other word was overwritten). */
  orphans: number;
  /** `now()` before FIFO_STATUS was asked and when it answered: the chip counted its samples in between. */
  asked: number;
  at: number;
}

/** A FIFO word that cannot be what the driver configured: bad parity, a sensor not batched. */
export class FifoDataError extends Error {
  readonly code = 'EFIFO';
}

const int16 = (lo: number, hi: number) => ((hi << 8) | lo) << 16 >> 16;

export class Lsm6dsoxFifoReader {
  /** A word read whose partner of the same time slot has not been read yet. */
  private half: { cnt: number; gyro?: Triple; accel?: Triple } | null = null;

  constructor(
    private readonly bus: I2cBus,
    private readonly address: number,
  ) {}

  /** Continuous mode, both sensors batched at `bdrCode`, FIFO_WTM_IA raised at `watermarkWords`. */
  async configure(bdrCode: number, watermarkWords: number): Promise<void> {
    if (!(watermarkWords >= 1 && watermarkWords <= 511)) throw new RangeError(`FIFO watermark must be 1..511 words, not ${watermarkWords}`);
    await this.bus.writeRegister(this.address, R.FIFO_CTRL1, watermarkWords & 0xff);
    await this.bus.writeRegister(this.address, R.FIFO_CTRL2, watermarkWords >> 8);
    await this.bus.writeRegister(this.address, R.FIFO_CTRL3, (bdrCode << 4) | bdrCode);
    await this.flush();
  }

  /** Bypass (empties the FIFO), then continuous again. */
  async flush(): Promise<void> {
    this.half = null;
    await this.bus.writeRegister(this.address, R.FIFO_CTRL4, FIFO.MODE_BYPASS);
    await this.bus.writeRegister(this.address, R.FIFO_CTRL4, FIFO.MODE_CONTINUOUS);
  }

  /**
   * Every word the FIFO holds now. Throws FifoDataError on a word that cannot be ours, after
   * emptying the FIFO so the next drain starts on a word boundary.
   */
  async drain(now: () => number): Promise<FifoDrain> {
    const asked = now();
    const status = await this.bus.readBlock(this.address, R.FIFO_STATUS1, 2);
    const at = now();
    const s2 = status[1]!;
    const words = status[0]! | ((s2 & 3) << 8);
    if (words > FIFO.DEPTH_WORDS) {
      await this.flush();
      throw new FifoDataError(`LSM6DSOX FIFO_STATUS reports ${words} words, more than the ${FIFO.DEPTH_WORDS} it holds`);
    }
    const out: FifoDrain = { samples: [], overrun: (s2 & (FIFO.OVR_LATCHED | FIFO.OVR_IA)) !== 0, orphans: 0, asked, at };
    // After an overrun the oldest slot may have lost one of its words.
    if (out.overrun && this.half) {
      this.half = null;
      out.orphans++;
    }
    for (let done = 0; done < words; ) {
      const n = Math.min(BURST_WORDS, words - done);
      const b = await this.bus.readBlock(this.address, R.FIFO_DATA_OUT_TAG, n * FIFO.WORD_BYTES);
      for (let w = 0; w < n; w++) {
        const at = w * FIFO.WORD_BYTES;
        const bad = this.word(b.subarray(at, at + FIFO.WORD_BYTES), out);
        if (bad) {
          await this.flush();
          throw new FifoDataError(`LSM6DSOX FIFO word ${done + w + 1} of ${words}: ${bad}; FIFO emptied`);
        }
      }
      done += n;
    }
    return out;
  }

  /** Takes one word; returns why it is garbage, or null. */
  private word(b: Uint8Array, out: FifoDrain): string | null {
    const tag = b[0]!;
    if (!fifoTagParityOk(tag)) return `tag 0x${tag.toString(16).padStart(2, '0')} fails its parity`;
    const sensor = tag >> 3;
    if (sensor !== FIFO.TAG_GYRO && sensor !== FIFO.TAG_ACCEL) return `tag sensor 0x${sensor.toString(16)} was not batched (gyro 0x01 and accelerometer 0x02 are)`;
    const cnt = (tag >> 1) & 3;
    const v: Triple = [int16(b[1]!, b[2]!), int16(b[3]!, b[4]!), int16(b[5]!, b[6]!)];
    const key = sensor === FIFO.TAG_GYRO ? 'gyro' : 'accel';
    if (this.half && this.half.cnt !== cnt) {
      this.half = null; // its partner was overwritten
      out.orphans++;
    }
    if (this.half?.[key]) return `two ${key} words in time slot ${cnt}`;
    this.half ??= { cnt };
    this.half[key] = v;
    const { gyro, accel } = this.half;
    if (gyro && accel) {
      out.samples.push({ gyro, accel, cnt });
      this.half = null;
    }
    return null;
  }
}
