import { ODR_HZ } from './lsm6dsox-registers.js';

/** The unit's IMU and the ranges it runs at (a car stays well inside 8 g and 1000 dps). */
export const IMU_CHIP = 'LSM6DSOX';
export const IMU_ACCEL_RANGE_G = 8;
export const IMU_GYRO_RANGE_DPS = 1000;
/** The chip's output data rate at or above `hz` (the driver only sets rates the chip has). */
export function chipOdrFor(hz: number): number {
  const rates = Object.values(ODR_HZ).sort((a, b) => a - b);
  return rates.find((r) => r >= hz) ?? rates[rates.length - 1]!;
}

