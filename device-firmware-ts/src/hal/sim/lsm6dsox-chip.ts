/**
 * A register-level model of the ST LSM6DSOX on an I2C bus, as the datasheet describes it:
 * read-only WHO_AM_I, CTRL registers with reset values, software reset, output registers
 * latched at the output data rate, XLDA/GDA data-ready bits cleared by reading the outputs,
 * register address auto-increment (IF_INC) and block data update (BDU), and the FIFO
 * (lsm6dsox-fifo-model.ts). The motion it
 * measures comes from a `MotionSource`; time advances only when `advance` is called.
 */
import { i2cError, type I2cBus } from '../i2c-bus.js';
import { ACCEL_FS, GYRO_FS, LSM6DSOX as R, ODR_HZ, STANDARD_GRAVITY } from '../imu/lsm6dsox-registers.js';
import { Lsm6dsoxFifoModel, type FifoData } from './lsm6dsox-fifo-model.js';

export interface Motion {
  accelMps2: readonly [number, number, number];
  gyroDps: readonly [number, number, number];
}

export type MotionSource = (tMs: number) => Motion;

const RESET_VALUES: Readonly<Record<number, number>> = { [R.WHO_AM_I]: R.WHO_AM_I_VALUE, [R.CTRL3_C]: R.IF_INC };
const READ_ONLY = new Set<number>([
  R.WHO_AM_I,
  R.STATUS_REG,
  R.FIFO_STATUS1,
  R.FIFO_STATUS2,
  ...Array.from({ length: 14 }, (_, i) => R.OUT_TEMP_L + i),
  ...Array.from({ length: 7 }, (_, i) => R.FIFO_DATA_OUT_TAG + i),
]);

export interface ChipOptions {
  address?: number;
  /** Overrides the sample period the CTRL registers set (the sim's own time base), Hz. */
  sampleRateHz?: number;
}

export class Lsm6dsoxChip implements I2cBus {
  readonly address: number;
  readonly regs = new Uint8Array(128);
  /** Samples latched into the output registers so far. */
  samples = 0;
  private nowMs = 0;
  private nextSampleMs: number | null = null;
  /** BDU: output pairs whose low byte was read, frozen until their high byte is. */
  private frozenPairs = new Set<number>();
  private pending: Motion | null = null;
  /** Declared before the constructor's reset() runs, which clears it. */
  private readonly fifo = new Lsm6dsoxFifoModel(this.regs);

  constructor(
    private readonly source: MotionSource,
    private readonly opts: ChipOptions = {},
  ) {
    this.address = opts.address ?? R.ADDRESS;
    this.reset();
  }

  private reset(): void {
    this.regs.fill(0);
    for (const [reg, v] of Object.entries(RESET_VALUES)) this.regs[Number(reg)] = v;
    this.nextSampleMs = null;
    this.frozenPairs.clear();
    this.fifo.clear();
  }

  /** Sample period from the CTRL registers (the faster of the two sensors), or null when both are off. */
  private periodMs(): number | null {
    if (this.opts.sampleRateHz) return (this.regs[R.CTRL1_XL]! >> 4) || (this.regs[R.CTRL2_G]! >> 4) ? 1000 / this.opts.sampleRateHz : null;
    const hz = Math.max(ODR_HZ[this.regs[R.CTRL1_XL]! >> 4] ?? 0, ODR_HZ[this.regs[R.CTRL2_G]! >> 4] ?? 0);
    return hz > 0 ? 1000 / hz : null;
  }

  /** Moves chip time forward, latching every sample that falls due. */
  advance(toMs: number): void {
    this.nowMs = Math.max(this.nowMs, toMs);
    const period = this.periodMs();
    if (period === null) return;
    this.nextSampleMs ??= this.nowMs;
    while (this.nextSampleMs <= this.nowMs) {
      this.latch(this.source(this.nextSampleMs));
      this.nextSampleMs += period;
    }
  }

  private latch(m: Motion): void {
    this.samples++;
    const { gyro, accel } = this.lsb(m);
    const bytes = (v: readonly number[]): FifoData => v.flatMap((x) => [x & 0xff, x >> 8]);
    this.fifo.latch(gyro && bytes(gyro), accel && bytes(accel));
    if (this.frozenPairs.size > 0) {
      this.pending = m;
      return;
    }
    this.output(m);
  }

  /** The motion in output codes (16-bit two's complement) at the configured full scales; null for a sensor that is off. */
  private lsb(m: Motion): { gyro: number[] | null; accel: number[] | null } {
    const ctrl1 = this.regs[R.CTRL1_XL]!;
    const ctrl2 = this.regs[R.CTRL2_G]!;
    const fsXl = Object.values(ACCEL_FS).find((f) => f.code === ((ctrl1 >> 2) & 3))!;
    const fsG = Object.values(GYRO_FS).find((f) => f.code === ((ctrl2 >> 2) & 3))!;
    const code = (lsb: number) => Math.max(-32768, Math.min(32767, Math.round(lsb))) & 0xffff;
    return {
      gyro: ctrl2 >> 4 ? m.gyroDps.map((v) => code(v / (fsG.mdpsPerLsb / 1000))) : null,
      accel: ctrl1 >> 4 ? m.accelMps2.map((v) => code(v / STANDARD_GRAVITY / (fsXl.mgPerLsb / 1000))) : null,
    };
  }

  private output(m: Motion): void {
    const { gyro, accel } = this.lsb(m);
    if (gyro) {
      gyro.forEach((v, i) => this.put(R.OUTX_L_G + 2 * i, v));
      this.regs[R.STATUS_REG]! |= R.GDA;
    }
    if (accel) {
      accel.forEach((v, i) => this.put(R.OUTX_L_A + 2 * i, v));
      this.regs[R.STATUS_REG]! |= R.XLDA;
    }
  }

  private put(reg: number, v: number): void {
    this.regs[reg] = v & 0xff;
    this.regs[reg + 1] = v >> 8;
  }

  private check(address: number): void {
    if (address !== this.address) throw i2cError(`i2c: no ACK from 0x${address.toString(16)}`);
  }

  private readOne(reg: number): number {
    const r = reg & 0x7f;
    if (r === R.FIFO_STATUS1 || r === R.FIFO_STATUS2 || (r >= R.FIFO_DATA_OUT_TAG && r <= R.FIFO_DATA_OUT_Z_H)) return this.fifo.read(r);
    const v = this.regs[r]!;
    const outputs = r >= R.OUTX_L_G && r < R.OUTX_L_A + 6;
    if (outputs) {
      this.regs[R.STATUS_REG]! &= ~(r < R.OUTX_L_A ? R.GDA : R.XLDA);
      if (this.regs[R.CTRL3_C]! & R.BDU) {
        const pair = r & ~1;
        if ((r & 1) === 0) this.frozenPairs.add(pair);
        else if (this.frozenPairs.delete(pair) && this.frozenPairs.size === 0 && this.pending) {
          const m = this.pending;
          this.pending = null;
          this.output(m);
        }
      }
    }
    return v;
  }

  async readRegister(address: number, register: number): Promise<number> {
    this.check(address);
    return this.readOne(register);
  }

  async readBlock(address: number, register: number, length: number): Promise<Uint8Array> {
    this.check(address);
    const out = new Uint8Array(length);
    const inc = (this.regs[R.CTRL3_C]! & R.IF_INC) !== 0;
    let r = register & 0x7f;
    for (let i = 0; i < length; i++) {
      out[i] = this.readOne(r);
      // Auto-increment wraps from FIFO_DATA_OUT_Z_H back to the tag: one burst reads word after word.
      if (inc) r = r === R.FIFO_DATA_OUT_Z_H ? R.FIFO_DATA_OUT_TAG : r + 1;
    }
    return out;
  }

  async writeRegister(address: number, register: number, value: number): Promise<void> {
    this.check(address);
    const r = register & 0x7f;
    if (READ_ONLY.has(r)) return; // the chip ignores writes to read-only registers
    if (r === R.CTRL3_C && value & R.SW_RESET) {
      this.reset();
      return;
    }
    this.regs[r] = value & 0xff;
    if (r >= R.FIFO_CTRL1 && r <= R.FIFO_CTRL4) this.fifo.configured();
    if ((r === R.CTRL1_XL || r === R.CTRL2_G) && this.periodMs() === null) this.nextSampleMs = null;
  }
}
