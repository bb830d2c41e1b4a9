import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type HardwareSource = 'cpuinfo' | 'devicetree' | 'machine-id' | 'sim';

/** The SoC serial the unit id is derived from, and where it came from. */
export interface HardwareSerial {
  serial: string;
  source: HardwareSource;
  /** Set when the source is weak (machine-id: cloned images share it). */
  warning: string | null;
}

const clean = (s: string) => s.replace(/\0/g, '').trim().toLowerCase();

export async function readOr(path: string): Promise<string | null> {
  try {
    const v = clean(await readFile(path, 'utf8'));
    return v.length > 0 && !/^0+$/.test(v) ? v : null;
  } catch {
    return null;
  }
}

/** Real hardware: /proc/cpuinfo `Serial`, the device-tree serial, and /etc/machine-id only as a last resort. */
export async function readHardwareSerial(root = '/'): Promise<HardwareSerial> {
  try {
    const cpuinfo = await readFile(join(root, 'proc/cpuinfo'), 'utf8');
    const m = /^Serial\s*:\s*([0-9a-fA-F]+)\s*$/m.exec(cpuinfo);
    if (m && !/^0+$/.test(m[1]!)) return { serial: clean(m[1]!), source: 'cpuinfo', warning: null };
  } catch {
    /* try the next source */
  }
  const dt = await readOr(join(root, 'sys/firmware/devicetree/base/serial-number'));
  if (dt) return { serial: dt, source: 'devicetree', warning: null };
  const mid = await readOr(join(root, 'etc/machine-id'));
  if (mid) {
    return {
      serial: mid,
      source: 'machine-id',
      warning: 'no SoC serial found; the unit id comes from /etc/machine-id, which cloned images share',
    };
  }
  throw new Error('no hardware serial: /proc/cpuinfo has no Serial, no device-tree serial-number, no /etc/machine-id');
}
