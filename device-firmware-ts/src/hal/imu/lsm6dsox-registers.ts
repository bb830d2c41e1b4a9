/** ST LSM6DSOX register map and field values (datasheet DS12814 rev 3, section 9). */
export const LSM6DSOX = {
  ADDRESS: 0x6a, // SA0 low; 0x6b with SA0 high
  FIFO_CTRL1: 0x07,
  FIFO_CTRL2: 0x08,
  FIFO_CTRL3: 0x09,
  FIFO_CTRL4: 0x0a,
  WHO_AM_I: 0x0f,
  WHO_AM_I_VALUE: 0x6c,
  CTRL1_XL: 0x10,
  CTRL2_G: 0x11,
  CTRL3_C: 0x12,
  STATUS_REG: 0x1e,
  OUT_TEMP_L: 0x20,
  OUTX_L_G: 0x22,
  OUTX_L_A: 0x28,
  FIFO_STATUS1: 0x3a,
  FIFO_STATUS2: 0x3b,
  /** A FIFO word: its tag byte, then X, Y, Z (16 bits each, low byte first) up to 0x7e. */
  FIFO_DATA_OUT_TAG: 0x78,
  FIFO_DATA_OUT_Z_H: 0x7e,
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

/** The FIFO (DS12814 section 9, AN5272 section 9). */
export const FIFO = {
  /** 3 kbyte of uncompressed words: 512 words of 6 data bytes (each with a tag). */
  DEPTH_WORDS: 512,
  /** FIFO_MODE, bits 2:0 of FIFO_CTRL4. */
  MODE_BYPASS: 0b000,
  MODE_FIFO: 0b001,
  MODE_CONTINUOUS: 0b110,
  /** FIFO_CTRL2 bit 0: WTM8, the watermark's ninth bit. */
  WTM8: 0x01,
  /** FIFO_STATUS2 bits; DIFF_FIFO (unread words) is STATUS1 plus bits 1:0 of STATUS2. */
  WTM_IA: 0x80,
  OVR_IA: 0x40,
  FULL_IA: 0x20,
  OVR_LATCHED: 0x08,
  /** TAG_SENSOR (bits 7:3 of the tag byte); TAG_CNT is bits 2:1, TAG_PARITY bit 0. */
  TAG_GYRO: 0x01,
  TAG_ACCEL: 0x02,
  /** Bytes a word takes on the bus: the tag and X, Y, Z. */
  WORD_BYTES: 7,
} as const;

/** The tag byte of a FIFO word; TAG_PARITY makes the byte's count of ones even. */
export function fifoTag(sensor: number, cnt: number): number {
  const b = ((sensor & 0x1f) << 3) | ((cnt & 3) << 1);
  return b | (ones(b) & 1);
}

/** Whether a tag byte's parity holds (see fifoTag). */
export function fifoTagParityOk(tag: number): boolean {
  return (ones(tag & 0xff) & 1) === 0;
}

function ones(b: number): number {
  let n = 0;
  for (let v = b; v; v >>= 1) n += v & 1;
  return n;
}

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
