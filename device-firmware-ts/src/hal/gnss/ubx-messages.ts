/**
 * The UBX configuration messages the unit sends (u-blox 8 / M8 receiver description, UBX-13003221,
 * sections 32.10 "UBX-CFG"; u-blox 9/10 interface descriptions for CFG-VALSET), and the ACK
 * class that answers them.
 */
import { encodeUbx } from './ubx-frame.js';

export const CLS = { ACK: 0x05, CFG: 0x06 } as const;
export const ID = { ACK_NAK: 0x00, ACK_ACK: 0x01, CFG_PRT: 0x00, CFG_MSG: 0x01, CFG_RATE: 0x08, CFG_VALSET: 0x8a } as const;

/** Standard NMEA sentences as UBX message ids (class 0xF0). */
export const NMEA_ID = { GGA: 0x00, GLL: 0x01, GSA: 0x02, GSV: 0x03, RMC: 0x04, VTG: 0x05 } as const;
export type NmeaName = keyof typeof NMEA_ID;

/** CFG-RATE: one measurement every 1000/hz ms, one navigation solution per measurement, aligned to GPS time. */
export function cfgRate(hz: number): Buffer {
  const measMs = Math.round(1000 / hz);
  if (!(measMs >= 25 && measMs <= 65535)) throw new RangeError(`navigation rate ${hz} Hz is outside 1/65 .. 40 Hz`);
  const p = Buffer.alloc(6);
  p.writeUInt16LE(measMs, 0);
  p.writeUInt16LE(1, 2); // navRate: cycles per solution
  p.writeUInt16LE(1, 4); // timeRef: GPS
  return encodeUbx(CLS.CFG, ID.CFG_RATE, p);
}

/** CFG-MSG (short form, the port it arrives on): NMEA sentence `name` once every `every` solutions (0 = off). */
export function cfgMsg(name: NmeaName, every: number): Buffer {
  if (!Number.isInteger(every) || every < 0 || every > 255) throw new RangeError(`message rate ${every} must be 0..255`);
  return encodeUbx(CLS.CFG, ID.CFG_MSG, Uint8Array.of(0xf0, NMEA_ID[name], every));
}

/** CFG-PRT for UART1: 8N1 at `baud`, UBX+NMEA+RTCM in, UBX+NMEA out. */
export function cfgPrtUart1(baud: number): Buffer {
  if (!Number.isInteger(baud) || baud < 4800 || baud > 921600) throw new RangeError(`baud ${baud} is outside 4800..921600`);
  const p = Buffer.alloc(20);
  p[0] = 1; // portID: UART1
  p.writeUInt32LE(0x000008d0, 4); // mode: 8 data bits, no parity, 1 stop bit
  p.writeUInt32LE(baud, 8);
  p.writeUInt16LE(0x0007, 12); // inProtoMask
  p.writeUInt16LE(0x0003, 14); // outProtoMask
  return encodeUbx(CLS.CFG, ID.CFG_PRT, p);
}

/** Configuration keys (u-blox 9/10 "Configuration interface"); bits 28..30 of a key give its value size. */
export const KEY = {
  RATE_MEAS: 0x30210001,
  RATE_NAV: 0x30210002,
  UART1_BAUDRATE: 0x40520001,
  MSGOUT_NMEA_GGA_UART1: 0x209100bb,
  MSGOUT_NMEA_GLL_UART1: 0x209100ca,
  MSGOUT_NMEA_GSA_UART1: 0x209100c0,
  MSGOUT_NMEA_GSV_UART1: 0x209100c5,
  MSGOUT_NMEA_RMC_UART1: 0x209100ac,
  MSGOUT_NMEA_VTG_UART1: 0x209100b1,
} as const;

const SIZE_BYTES: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4 };

/** CFG-VALSET version 0 into the RAM layer: the values take effect now and are lost at power-off. */
export function cfgValset(values: readonly [key: number, value: number][]): Buffer {
  if (values.length === 0 || values.length > 64) throw new RangeError('CFG-VALSET takes 1 to 64 values');
  const parts: Buffer[] = [Buffer.from([0x00, 0x01, 0x00, 0x00])]; // version 0, layers RAM, reserved
  for (const [key, value] of values) {
    const size = SIZE_BYTES[(key >>> 28) & 0x7];
    if (!size) throw new RangeError(`key 0x${key.toString(16)} has a size this encoder does not write`);
    const kv = Buffer.alloc(4 + size);
    kv.writeUInt32LE(key >>> 0, 0);
    kv.writeUIntLE(value, 4, size);
    parts.push(kv);
  }
  return encodeUbx(CLS.CFG, ID.CFG_VALSET, Buffer.concat(parts));
}
