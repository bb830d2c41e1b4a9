/** ST LSM6DSOX register map and field values (datasheet DS12814 rev 3, section 9). */
export const LSM6DSOX = {
  ADDRESS: 0x6a, // SA0 low; 0x6b with SA0 high
  WHO_AM_I: 0x0f,
  WHO_AM_I_VALUE: 0x6c,
  CTRL1_XL: 0x10,
  CTRL2_G: 0x11,
  CTRL3_C: 0x12,
  STATUS_REG: 0x1e,
  OUT_TEMP_L: 0x20,
  OUTX_L_G: 0x22,
  OUTX_L_A: 0x28,
  /** CTRL3_C bits */
  BOOT: 0x80,
  BDU: 0x40,
  IF_INC: 0x04,
  SW_RESET: 0x01,
  /** STATUS_REG bits */
  TDA: 0x04,
  GDA: 0x02,
  XLDA: 0x01,
} as const;

/** Output data rates (Hz) by ODR_XL / ODR_G code (bits 7:4 of CTRL1_XL / CTRL2_G). */
export const ODR_HZ: Readonly<Record<number, number>> = { 1: 12.5, 2: 26, 3: 52, 4: 104, 5: 208, 6: 416, 7: 833, 8: 1660, 9: 3330, 10: 6660 };

/** FS_XL code (bits 3:2 of CTRL1_XL) by full scale in g, and sensitivity in mg/LSB (table 2). */
export const ACCEL_FS: Readonly<Record<number, { code: number; mgPerLsb: number }>> = {
  2: { code: 0b00, mgPerLsb: 0.061 },
  4: { code: 0b10, mgPerLsb: 0.122 },
  8: { code: 0b11, mgPerLsb: 0.244 },
  16: { code: 0b01, mgPerLsb: 0.488 },
};

/** FS_G code (bits 3:2 of CTRL2_G) by full scale in dps, and sensitivity in mdps/LSB (table 2). */
export const GYRO_FS: Readonly<Record<number, { code: number; mdpsPerLsb: number }>> = {
  250: { code: 0b00, mdpsPerLsb: 8.75 },
  500: { code: 0b01, mdpsPerLsb: 17.5 },
  1000: { code: 0b10, mdpsPerLsb: 35 },
  2000: { code: 0b11, mdpsPerLsb: 70 },
};

export const STANDARD_GRAVITY = 9.80665;
