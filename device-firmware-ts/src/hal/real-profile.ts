import { stat } from 'node:fs/promises';
import { realDisk } from './disk.js';
import { serialGnssSource } from './gnss-source.js';
import { realGpio } from './gpio.js';
import { readHardwareSerial } from './hardware-serial.js';
import { HardwareMissingError, type HardwareProfile } from './hardware-profile.js';
import { thermalZones } from './thermal.js';
import { realUsbGadget } from './usb-gadget.js';

export interface RealProfileOptions {
  dataDir: string;
  gnssPath: string;
  gnssBaud: number;
  usbGadgetPath: string;
  /** Where /proc, /sys and /etc are (tests point it at a fake tree). */
  root?: string;
}

export const REAL_MODEL = 'PW-1';

async function isCharDevice(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isCharacterDevice();
  } catch {
    return false;
  }
}

/**
 * The real board, as far as its drivers go today: the GNSS receiver on a UART, the USB
 * CDC-ACM gadget, the SoC serial, sysfs thermal zones and statfs. The GPIO lines are not
 * wired yet (presses never arrive; USB pairing still works) and the IMU has no I2C bus driver
 * yet, so sessions carry no IMU samples.
 */
export function realProfile(o: RealProfileOptions): HardwareProfile {
  const root = o.root ?? '/';
  return {
    kind: 'real',
    model: REAL_MODEL,
    async probe() {
      const missing: string[] = [];
      if (!(await isCharDevice(o.gnssPath))) missing.push(`no GNSS receiver serial port at ${o.gnssPath} (hardware.gnssPath)`);
      if (!(await isCharDevice(o.usbGadgetPath))) missing.push(`no USB gadget serial port at ${o.usbGadgetPath} (hardware.usbGadgetPath)`);
      if (missing.length > 0) throw new HardwareMissingError(missing);
    },
    boardSerial: () => readHardwareSerial(root),
    openGpio: async () => realGpio(),
    openGnss: () => serialGnssSource(o.gnssPath, o.gnssBaud),
    usbGadget: realUsbGadget(o.usbGadgetPath),
    disk: realDisk(o.dataDir),
    thermal: async () => thermalZones(root),
    imu: () => null,
    earlierDrives: async () => [],
  };
}
