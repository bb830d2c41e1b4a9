/**
 * The register-level LSM6DSOX fake for driver tests: the datasheet model of the sim, plus a
 * scripted motion, a write log, a bus that can NAK and a chip that can claim another identity.
 */
import { Lsm6dsoxChip, type Motion } from '../../src/hal/sim/lsm6dsox-chip.js';

export class FakeLsm6dsox extends Lsm6dsoxChip {
  motion: Motion = { accelMps2: [0, 0, 9.80665], gyroDps: [0, 0, 0] };
  readonly writes: { register: number; value: number }[] = [];
  blockReads = 0;
  nak = false;
  whoAmI: number | null = null;

  constructor(address?: number) {
    super(() => this.motion, address === undefined ? {} : { address });
  }

  override async readRegister(address: number, register: number): Promise<number> {
    this.fault();
    if (register === 0x0f && this.whoAmI !== null) return this.whoAmI;
    return super.readRegister(address, register);
  }

  override async writeRegister(address: number, register: number, value: number): Promise<void> {
    this.fault();
    this.writes.push({ register, value });
    return super.writeRegister(address, register, value);
  }

  override async readBlock(address: number, register: number, length: number): Promise<Uint8Array> {
    this.fault();
    this.blockReads++;
    return super.readBlock(address, register, length);
  }

  private fault(): void {
    if (this.nak) throw Object.assign(new Error('i2c: no ACK'), { code: 'EIO' });
  }
}
