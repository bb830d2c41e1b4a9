import type { I2cBus } from '../i2c-bus.js';
import { ACCEL_FS, GYRO_FS, LSM6DSOX as R, ODR_HZ, STANDARD_GRAVITY } from './lsm6dsox-registers.js';
import { Lsm6dsoxFifoReader, type Triple } from './lsm6dsox-fifo.js';

export interface ImuSample {
  /** Body frame: x forward, y left, z up (as mounted), m/s^2 of specific force (z reads +g at rest). */
  accelMps2: [number, number, number];
  /** Angular rate about x, y, z, degrees per second, counter-clockwise positive. */
  gyroDps: [number, number, number];
}

export interface Lsm6dsoxOptions {
  address?: number;
  /** One of the chip's rates: 12.5, 26, 52, 104 (default), 208, 416, 833, 1660, 3330, 6660 Hz. */
  odrHz?: number;
  /** +-2, 4 (default), 8 or 16 g. */
  accelRangeG?: number;
  /** +-250, 500 (default), 1000 or 2000 dps. */
  gyroRangeDps?: number;
  /** Waits between polls of SW_RESET; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface FifoSamples {
  samples: ImuSample[];
  /** Each sample's TAG_CNT: its time slot, modulo 4. */
  slots: number[];
  /** Words were overwritten since the last read: samples between the last read and these were lost. */
  overrun: boolean;
  /** Half samples dropped (their partner word was overwritten). */
  orphans: number;
  /** `now()` before the FIFO's status was asked and when it answered: the samples returned were counted in between. */
  asked: number;
  at: number;
}

function odrCode(hz: number): number {
  for (const [code, rate] of Object.entries(ODR_HZ)) if (rate === hz) return Number(code);
  throw new RangeError(`LSM6DSOX has no ${hz} Hz output data rate; choose one of ${Object.values(ODR_HZ).join(', ')}`);
}

const int16 = (lo: number, hi: number) => ((hi << 8) | lo) << 16 >> 16;

/**
 * ST LSM6DSOX 6-axis IMU on I2C. Chosen for the unit because it is current (LSM6DS3 is not
 * recommended for new designs, MPU-6050 is end of life), it covers +-16 g / +-2000 dps with
 * low noise, and its block data update plus register auto-increment give a consistent
 * gyro+accel sample in one 12-byte read.
 */
export class Lsm6dsox {
  readonly address: number;
  readonly odrHz: number;
  private readonly odr: number;
  private readonly accel: { code: number; mgPerLsb: number };
  private readonly gyro: { code: number; mdpsPerLsb: number };
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fifo: Lsm6dsoxFifoReader;

  constructor(
    private readonly bus: I2cBus,
    opts: Lsm6dsoxOptions = {},
  ) {
    this.address = opts.address ?? R.ADDRESS;
    this.odrHz = opts.odrHz ?? 104;
    this.odr = odrCode(this.odrHz);
    const accel = ACCEL_FS[opts.accelRangeG ?? 4];
    const gyro = GYRO_FS[opts.gyroRangeDps ?? 500];
    if (!accel) throw new RangeError(`accelerometer range must be 2, 4, 8 or 16 g`);
    if (!gyro) throw new RangeError(`gyroscope range must be 250, 500, 1000 or 2000 dps`);
    this.accel = accel;
    this.gyro = gyro;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.fifo = new Lsm6dsoxFifoReader(bus, this.address);
  }

  /**
   * Batches both sensors into the FIFO at the output data rate, continuous mode: the newest
   * 256 samples (about 2.5 s at 104 Hz) wait for a late reader. FIFO_WTM_IA rises at
   * `watermarkWords` (two words a sample).
   */
  enableFifo(watermarkWords: number): Promise<void> {
    return this.fifo.configure(this.odr, watermarkWords);
  }

  /** Every complete sample the FIFO holds, oldest first (see Lsm6dsoxFifoReader.drain for errors). */
  async readFifo(now: () => number = () => performance.now()): Promise<FifoSamples> {
    const d = await this.fifo.drain(now);
    return { samples: d.samples.map((s) => this.scale(s.gyro, s.accel)), slots: d.samples.map((s) => s.cnt), overrun: d.overrun, orphans: d.orphans, asked: d.asked, at: d.at };
  }

  /** Checks the chip identity, resets it and configures rates and ranges. */
  async init(): Promise<void> {
    const who = await this.bus.readRegister(this.address, R.WHO_AM_I);
    if (who !== R.WHO_AM_I_VALUE) throw new Error(`no LSM6DSOX at 0x${this.address.toString(16)}: WHO_AM_I is 0x${who.toString(16)}, expected 0x6c`);
    await this.bus.writeRegister(this.address, R.CTRL3_C, R.SW_RESET);
    for (let i = 0; ; i++) {
      if (((await this.bus.readRegister(this.address, R.CTRL3_C)) & R.SW_RESET) === 0) break;
      if (i >= 10) throw new Error('LSM6DSOX software reset did not complete');
      await this.sleep(1);
    }
    // BDU: an output pair is never half updated between our reads of its two bytes.
    await this.bus.writeRegister(this.address, R.CTRL3_C, R.BDU | R.IF_INC);
    await this.bus.writeRegister(this.address, R.CTRL1_XL, (this.odr << 4) | (this.accel.code << 2));
    await this.bus.writeRegister(this.address, R.CTRL2_G, (this.odr << 4) | (this.gyro.code << 2));
  }

  /** Powers both sensors down (ODR 0). */
  async powerDown(): Promise<void> {
    await this.bus.writeRegister(this.address, R.CTRL1_XL, 0);
    await this.bus.writeRegister(this.address, R.CTRL2_G, 0);
  }

  /** The newest sample if the chip has one that was not read yet, else null. */
  async read(): Promise<ImuSample | null> {
    const status = await this.bus.readRegister(this.address, R.STATUS_REG);
    if ((status & (R.XLDA | R.GDA)) === 0) return null;
    return this.readOutputs();
  }

  /** Gyro and accelerometer outputs in one auto-incremented block read (OUTX_L_G .. OUTZ_H_A). */
  async readOutputs(): Promise<ImuSample> {
    const b = await this.bus.readBlock(this.address, R.OUTX_L_G, 12);
    const v = (i: number) => int16(b[i] ?? 0, b[i + 1] ?? 0);
    return this.scale([v(0), v(2), v(4)], [v(6), v(8), v(10)]);
  }

  private scale(gyro: Triple, accel: Triple): ImuSample {
    const g = this.gyro.mdpsPerLsb / 1000;
    const a = (this.accel.mgPerLsb / 1000) * STANDARD_GRAVITY;
    return { gyroDps: [gyro[0] * g, gyro[1] * g, gyro[2] * g], accelMps2: [accel[0] * a, accel[1] * a, accel[2] * a] };
  }
}
