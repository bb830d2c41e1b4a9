/**
 * A register-level model of the ST LSM6DSOX on an I2C bus, as the datasheet describes it:
 * read-only WHO_AM_I, CTRL registers with reset values, software reset, output registers
 * latched at the output data rate, XLDA/GDA data-ready bits cleared by reading the outputs,
 * register address auto-increment (IF_INC) and block data update (BDU). The motion it
 * measures comes from a `MotionSource`; time advances only when `advance` is called.
 */
import { i2cError, type I2cBus } from '../i2c-bus.js';
import { ACCEL_FS, GYRO_FS, LSM6DSOX as R, ODR_HZ, STANDARD_GRAVITY } from '../imu/lsm6dsox-registers.js';

export interface Motion {
  accelMps2: readonly [number, number, number];
  gyroDps: readonly [number, number, number];
}

export type MotionSource = (tMs: number) => Motion;

const RESET_VALUES: Readonly<Record<number, number>> = { [R.WHO_AM_I]: R.WHO_AM_I_VALUE, [R.CTRL3_C]: R.IF_INC };
const READ_ONLY = new Set<number>([R.WHO_AM_I, R.STATUS_REG, ...Array.from({ length: 14 }, (_, i) => R.OUT_TEMP_L + i)]);

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
    if (this.frozenPairs.size > 0) {
      this.pending = m;
      return;
    }
    const ctrl1 = this.regs[R.CTRL1_XL]!;
    const ctrl2 = this.regs[R.CTRL2_G]!;
    const fsXl = Object.values(ACCEL_FS).find((f) => f.code === ((ctrl1 >> 2) & 3))!;
    const fsG = Object.values(GYRO_FS).find((f) => f.code === ((ctrl2 >> 2) & 3))!;
    if (ctrl2 >> 4) {
      m.gyroDps.forEach((v, i) => this.put(R.OUTX_L_G + 2 * i, v / (fsG.mdpsPerLsb / 1000)));
      this.regs[R.STATUS_REG]! |= R.GDA;
    }
    if (ctrl1 >> 4) {
      m.accelMps2.forEach((v, i) => this.put(R.OUTX_L_A + 2 * i, v / STANDARD_GRAVITY / (fsXl.mgPerLsb / 1000)));
      this.regs[R.STATUS_REG]! |= R.XLDA;
    }
  }

  private put(reg: number, lsb: number): void {
    const v = Math.max(-32768, Math.min(32767, Math.round(lsb))) & 0xffff;
    this.regs[reg] = v & 0xff;
    this.regs[reg + 1] = v >> 8;
  }

  private check(address: number): void {
    if (address !== this.address) throw i2cError(`i2c: no ACK from 0x${address.toString(16)}`);
  }

  private readOne(reg: number): number {
    const r = reg & 0x7f;
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
          this.latch(m);
          this.samples--;
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
    for (let i = 0; i < length; i++) out[i] = this.readOne(inc ? register + i : register);
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
    if ((r === R.CTRL1_XL || r === R.CTRL2_G) && this.periodMs() === null) this.nextSampleMs = null;
  }
}
