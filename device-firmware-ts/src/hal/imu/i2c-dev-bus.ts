/**
 * The I2cBus the sensor drivers use, over Linux's i2c-dev (/dev/i2c-N) through the `i2c-bus`
 * package. `I2cDevice` is the part of i2c-bus's PromisifiedBus the adapter calls, so tests
 * plug a register model in behind exactly that interface.
 */
import { i2cError, type I2cBus } from '../i2c-bus.js';

export interface I2cDevice {
  readByte(address: number, command: number): Promise<number>;
  writeByte(address: number, command: number, byte: number): Promise<void>;
  readI2cBlock(address: number, command: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }>;
  close(): Promise<void>;
}

/** Every failure (ENXIO no device, EREMOTEIO NAK, ENOENT no bus) becomes one EIO with the cause named. */
async function io<T>(what: string, address: number, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw i2cError(`i2c ${what} at 0x${address.toString(16)}: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' '));
  }
}

export function i2cDevBus(dev: I2cDevice): I2cBus & { close(): Promise<void> } {
  return {
    readRegister: (address, register) => io('read', address, () => dev.readByte(address, register)),
    writeRegister: (address, register, value) => io('write', address, () => dev.writeByte(address, register, value)),
    async readBlock(address, register, length) {
      const { bytesRead, buffer } = await io('block read', address, () => dev.readI2cBlock(address, register, length, Buffer.alloc(length)));
      if (bytesRead !== length) throw i2cError(`i2c block read at 0x${address.toString(16)}: ${bytesRead} of ${length} bytes`);
      return Uint8Array.from(buffer.subarray(0, length));
    },
    close: () => dev.close(),
  };
}

/** Opens /dev/i2c-`busNumber` (the Pi's header pins 3 and 5 are bus 1). */
export async function openI2cDev(busNumber: number): Promise<I2cDevice> {
  const { default: i2c } = await import('i2c-bus');
  return i2c.openPromisified(busNumber);
}
