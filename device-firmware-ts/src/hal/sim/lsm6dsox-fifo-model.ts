/**
 * The LSM6DSOX FIFO as the chip model keeps it: FIFO_CTRL1..4 (watermark, batch data rates,
 * mode), tagged 7-byte words (TAG_SENSOR, a 2-bit TAG_CNT per time slot, TAG_PARITY), 512 words
 * deep; continuous mode overwrites the oldest word when full and raises FIFO_OVR_IA and the
 * latched FIFO_OVR_LATCHED (cleared by reading FIFO_STATUS2); FIFO mode stops when full; bypass
 * empties it. Reading FIFO_DATA_OUT_Z_H pops the word shown in FIFO_DATA_OUT_TAG..Z_H.
 */
import { FIFO, fifoTag, LSM6DSOX as R, ODR_HZ } from '../imu/lsm6dsox-registers.js';

/** Six data bytes: X, Y, Z, low byte first. */
export type FifoData = readonly number[];

export class Lsm6dsoxFifoModel {
  private words: number[][] = [];
  private cnt = 0;
  private slot = 0;
  private overrun = false;
  private latched = false;

  constructor(private readonly regs: Uint8Array) {}

  get length(): number {
    return this.words.length;
  }

  private mode(): number {
    return this.regs[R.FIFO_CTRL4]! & 0b111;
  }

  /** After a write to a FIFO_CTRL register: bypass mode empties the FIFO. */
  configured(): void {
    if (this.mode() === FIFO.MODE_BYPASS) this.clear();
  }

  clear(): void {
    this.words = [];
    this.overrun = false;
    this.latched = false;
    this.slot = 0;
    this.show();
  }

  /** Whether a sensor running at `odrCode` batches this time slot at its BDR code (every ODR/BDR-th sample). */
  private batches(bdrCode: number, odrCode: number): boolean {
    const bdr = ODR_HZ[bdrCode];
    const odr = ODR_HZ[odrCode];
    if (!bdr || !odr) return false;
    return this.slot % Math.max(1, Math.round(odr / bdr)) === 0;
  }

  /** One ODR tick: the gyro word, then the accelerometer word, of one time slot. */
  latch(gyro: FifoData | null, accel: FifoData | null): void {
    if (this.mode() === FIFO.MODE_BYPASS) return;
    const ctrl3 = this.regs[R.FIFO_CTRL3]!;
    const g = gyro && this.batches(ctrl3 >> 4, this.regs[R.CTRL2_G]! >> 4);
    const a = accel && this.batches(ctrl3 & 0x0f, this.regs[R.CTRL1_XL]! >> 4);
    this.slot++;
    if (!g && !a) return;
    if (g) this.push(fifoTag(FIFO.TAG_GYRO, this.cnt), gyro);
    if (a) this.push(fifoTag(FIFO.TAG_ACCEL, this.cnt), accel);
    this.cnt = (this.cnt + 1) & 3;
  }

  private push(tag: number, data: FifoData): void {
    if (this.words.length >= FIFO.DEPTH_WORDS) {
      if (this.mode() !== FIFO.MODE_CONTINUOUS) return; // FIFO mode: stops when full
      this.words.shift();
      this.overrun = true;
      this.latched = true;
    }
    this.words.push([tag, ...data]);
    if (this.words.length === 1) this.show();
  }

  /** FIFO_DATA_OUT_TAG..Z_H show the oldest word (zeros when empty). */
  private show(): void {
    const w = this.words[0] ?? [0, 0, 0, 0, 0, 0, 0];
    this.regs.set(w, R.FIFO_DATA_OUT_TAG);
  }

  /** A read of FIFO_STATUS1, FIFO_STATUS2 or a data-out register; returns the byte. */
  read(reg: number): number {
    if (reg === R.FIFO_STATUS1) return this.words.length & 0xff;
    if (reg === R.FIFO_STATUS2) {
      const n = this.words.length;
      const wtm = this.regs[R.FIFO_CTRL1]! | ((this.regs[R.FIFO_CTRL2]! & FIFO.WTM8) << 8);
      const v =
        (wtm > 0 && n >= wtm ? FIFO.WTM_IA : 0) |
        (this.overrun ? FIFO.OVR_IA : 0) |
        (n >= FIFO.DEPTH_WORDS - 1 ? FIFO.FULL_IA : 0) |
        (this.latched ? FIFO.OVR_LATCHED : 0) |
        ((n >> 8) & 3);
      this.latched = false;
      return v;
    }
    const v = this.regs[reg]!;
    if (reg === R.FIFO_DATA_OUT_Z_H && this.words.length > 0) {
      this.words.shift();
      this.overrun = false;
      this.show();
    }
    return v;
  }
}
