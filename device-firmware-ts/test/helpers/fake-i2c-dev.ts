/**
 * A fake of i2c-bus's PromisifiedBus (the `I2cDevice` part the real adapter calls) with the
 * LSM6DSOX register model behind it, its time running with the wall clock as a chip's does.
 */
import type { I2cDevice } from '../../src/hal/imu/i2c-dev-bus.js';
import { Lsm6dsoxChip, type Motion } from '../../src/hal/sim/lsm6dsox-chip.js';

export class FakeI2cDev implements I2cDevice {
  motion: Motion = { accelMps2: [0, 0, 9.80665], gyroDps: [0, 0, 0] };
  readonly chip: Lsm6dsoxChip;
  /** Errors the kernel gives when no device answers (ENXIO) or the bus is gone. */
  fail: string | null = null;
  closed = false;
  private readonly t0: number;

  /** `clock`: the chip's time base, ms (default the wall clock; tests pass a clock they move). */
  constructor(address?: number, private readonly clock: () => number = () => performance.now()) {
    this.chip = new Lsm6dsoxChip(() => this.motion, address === undefined ? {} : { address });
    this.t0 = clock();
  }

  private tick(): void {
    if (this.closed) throw Object.assign(new Error('bus closed'), { code: 'EBADF' });
    if (this.fail) throw Object.assign(new Error(`${this.fail}, i2c transfer`), { code: this.fail });
    this.chip.advance(this.clock() - this.t0);
  }

  async readByte(address: number, command: number): Promise<number> {
    this.tick();
    return this.chip.readRegister(address, command);
  }

  async writeByte(address: number, command: number, byte: number): Promise<void> {
    this.tick();
    await this.chip.writeRegister(address, command, byte);
  }

  async readI2cBlock(address: number, command: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }> {
    this.tick();
    buffer.set(await this.chip.readBlock(address, command, length));
    return { bytesRead: length, buffer };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
