/**
 * An I2C bus as the sensor drivers see it: register reads and writes on a 7-bit device address.
 * A real implementation wraps /dev/i2c-N; the sim and the tests plug register models in.
 * Failures (NAK, bus error) reject with an Error whose `code` is 'EIO'.
 */
export interface I2cBus {
  readRegister(address: number, register: number): Promise<number>;
  writeRegister(address: number, register: number, value: number): Promise<void>;
  /** `length` bytes starting at `register` in one transaction (the device auto-increments). */
  readBlock(address: number, register: number, length: number): Promise<Uint8Array>;
}

export function i2cError(message: string): Error {
  return Object.assign(new Error(message), { code: 'EIO' });
}
