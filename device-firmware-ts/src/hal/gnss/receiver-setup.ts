/**
 * Bringing a GNSS receiver up on its UART before the reader opens it: find the baud rate where
 * NMEA with good checksums arrives, and on a u-blox receiver set the port speed, the navigation
 * rate and the sentences with acknowledged UBX messages. A receiver that answers nothing is
 * taken as NMEA-only and read as it is.
 */
import type { Logger } from '../../ops/logger.js';
import { GnssLink } from './gnss-link.js';
import { cfgMsg, cfgPrtUart1, cfgRate, cfgValset, KEY, type NmeaName } from './ubx-messages.js';

/** Common receiver speeds, the usual factory defaults first. */
export const COMMON_BAUDS = [9600, 38400, 115200, 57600, 230400, 19200, 4800] as const;

export interface UbloxSettings {
  /** Navigation solutions per second (10 or 25 on the receivers the unit ships with). */
  rateHz: number;
  /** Port speed to switch the receiver to, or null to keep the one it has. */
  baud: number | null;
}

export interface ReceiverSetupOptions {
  path: string;
  baud: number | 'auto';
  ublox: UbloxSettings | null;
  log: Logger;
  candidates?: readonly number[];
  /** How long to listen for NMEA at each speed. */
  listenMs?: number;
  ackTimeoutMs?: number;
}

export type ReceiverKind = 'ublox-cfg' | 'ublox-valset' | 'nmea-only';

export interface ReceiverSetup {
  baudRate: number;
  receiver: ReceiverKind;
}

const SENTENCES: readonly [NmeaName, number][] = [
  ['GGA', 1],
  ['RMC', 1],
  ['GLL', 0],
  ['VTG', 0],
];
const VALSET_KEYS: Record<NmeaName, number> = {
  GGA: KEY.MSGOUT_NMEA_GGA_UART1,
  RMC: KEY.MSGOUT_NMEA_RMC_UART1,
  GLL: KEY.MSGOUT_NMEA_GLL_UART1,
  VTG: KEY.MSGOUT_NMEA_VTG_UART1,
  GSA: KEY.MSGOUT_NMEA_GSA_UART1,
  GSV: KEY.MSGOUT_NMEA_GSV_UART1,
};

/** GGA and RMC every solution, GSA and GSV once a second (satellite status), GLL and VTG off. */
function sentenceRates(rateHz: number): [NmeaName, number][] {
  const once = Math.max(1, Math.min(255, Math.round(rateHz)));
  return [...SENTENCES, ['GSA', once], ['GSV', once]];
}

async function listenAt(path: string, baud: number, listenMs: number): Promise<boolean> {
  const link = await GnssLink.open(path, baud);
  try {
    return await link.nmeaArrives(2, listenMs);
  } finally {
    await link.close();
  }
}

/** The first of `candidates` at which two NMEA sentences with good checksums arrive, or null. */
export async function detectBaud(path: string, candidates: readonly number[], listenMs: number): Promise<number | null> {
  for (const baud of candidates) if (await listenAt(path, baud, listenMs)) return baud;
  return null;
}

async function setRate(link: GnssLink, rateHz: number, ackMs: number, log: Logger): Promise<ReceiverKind> {
  const legacy = await link.send(cfgRate(rateHz), ackMs);
  if (legacy === 'timeout') return 'nmea-only';
  if (legacy === 'ack') {
    for (const [name, every] of sentenceRates(rateHz)) {
      if ((await link.send(cfgMsg(name, every), ackMs)) !== 'ack') log.warn(`gnss: receiver did not accept CFG-MSG ${name}=${every}`);
    }
    return 'ublox-cfg';
  }
  // u-blox M10 and later refuse the old CFG messages: the configuration interface instead.
  const values: [number, number][] = [[KEY.RATE_MEAS, Math.round(1000 / rateHz)], ...sentenceRates(rateHz).map(([n, e]): [number, number] => [VALSET_KEYS[n], e])];
  if ((await link.send(cfgValset(values), ackMs)) === 'ack') return 'ublox-valset';
  log.warn(`gnss: u-blox receiver refused a ${rateHz} Hz rate (CFG-RATE and CFG-VALSET both NAKed); reading it at its own rate`);
  return 'ublox-cfg';
}

/** Switches the port speed; keeps the old one if NMEA does not arrive at the new speed. */
async function setBaud(o: ReceiverSetupOptions, from: number, to: number, ackMs: number, listenMs: number): Promise<number> {
  const link = await GnssLink.open(o.path, from);
  // The ACK may come at either speed or get lost in the switch: the NMEA at the new one decides.
  const answer = await link.send(cfgPrtUart1(to), ackMs).finally(() => link.close());
  if (answer === 'nak') {
    o.log.warn(`gnss: receiver refused ${to} baud (CFG-PRT NAK); staying at ${from}`);
    return from;
  }
  if (await listenAt(o.path, to, listenMs)) return to;
  o.log.warn(`gnss: no NMEA at ${to} baud after CFG-PRT; staying at ${from}`);
  return from;
}

export async function setUpReceiver(o: ReceiverSetupOptions): Promise<ReceiverSetup> {
  const listenMs = o.listenMs ?? 1500;
  const ackMs = o.ackTimeoutMs ?? 1000;
  let baud: number;
  if (o.baud === 'auto') {
    const candidates = o.candidates ?? COMMON_BAUDS;
    const found = await detectBaud(o.path, candidates, listenMs);
    if (found === null) {
      o.log.warn(`gnss: no NMEA at ${candidates.join(', ')} baud on ${o.path}; opening at ${candidates[0]} and waiting`);
      return { baudRate: candidates[0]!, receiver: 'nmea-only' };
    }
    baud = found;
    o.log.info(`gnss: receiver found at ${baud} baud`);
  } else baud = o.baud;
  if (!o.ublox) return { baudRate: baud, receiver: 'nmea-only' };

  // The speed first: 25 Hz of NMEA does not fit in 9600 baud.
  if (o.ublox.baud !== null && o.ublox.baud !== baud) baud = await setBaud(o, baud, o.ublox.baud, ackMs, listenMs);
  const link = await GnssLink.open(o.path, baud);
  const kind = await setRate(link, o.ublox.rateHz, ackMs, o.log).finally(() => link.close());
  if (kind === 'nmea-only') {
    o.log.info('gnss: no UBX answer; NMEA-only receiver, read at its own rate');
    return { baudRate: baud, receiver: kind };
  }
  o.log.info(`gnss: u-blox receiver at ${baud} baud, ${o.ublox.rateHz} Hz (${kind})`);
  return { baudRate: baud, receiver: kind };
}
