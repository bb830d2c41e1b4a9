// The records both loggers of the logging bench write: a fresh fields object a call, as the
// unit's code makes them. Two workloads: GNSS fixes alone (numbers only: the bench's record
// until now), and a mix with the unit's other kinds of record, strings in fields, a record with
// a secret field (pino's redaction paths censor it in both loggers) and one with a secret in its
// message (only the unit's free-text rules see it; pino leaves messages alone).
import { Routes, type LogLevel, type Subsystem } from '@pitwall/protocol';

export interface BenchRecord {
  subsystem: Subsystem;
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
}

export type Workload = (i: number) => BenchRecord;

export const SUBSYSTEMS: readonly Subsystem[] = ['gnss', 'api', 'health', 'net'];

export const gnssFix: Workload = (i) => ({
  subsystem: 'gnss',
  level: 'info',
  msg: `fix ${i} from the receiver`,
  fields: { lat: 37.2931 + i * 1e-7, lon: 127.2017, speedMps: 31.4, satellites: 14, hdop: 0.8, lap: i >> 12 },
});

const SESSIONS = Routes.sessions.path;

/** Per 100 records: 80 fixes, 10 API requests, 5 health samples, 3 warnings, 1 secret field, 1 secret in text. */
export const mixed: Workload = (i) => {
  const k = i % 100;
  if (k < 80) return gnssFix(i);
  if (k < 90) {
    return {
      subsystem: 'api',
      level: 'info',
      msg: `GET ${SESSIONS}/s-${i} 200`,
      fields: { method: 'GET', route: Routes.sessionFile.path, status: 200, ms: 3.2, operator: 'staff-3f2a9c', bytes: 18_220 },
    };
  }
  if (k < 95) {
    return {
      subsystem: 'health',
      level: 'debug',
      msg: 'health sample',
      fields: { cpuPct: 23.5, memMb: 61, diskFreeMb: 12_044, tempC: 48.2, rates: { imuHz: 104, gnssHz: 10 }, state: 'recording' },
    };
  }
  if (k < 98) return { subsystem: 'gnss', level: 'warn', msg: 'gnss port /dev/ttyAMA0 closed; reopening', fields: { attempt: i % 7, path: '/dev/ttyAMA0' } };
  if (k === 98) return { subsystem: 'net', level: 'info', msg: 'joining the Wi-Fi network', fields: { ssid: 'Paddock', psk: 'Tr4ckDay-Wifi!', band: '5GHz' } };
  return { subsystem: 'net', level: 'info', msg: 'provisioning call with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', fields: { status: 401 } };
};
