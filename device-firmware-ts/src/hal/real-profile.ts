import { existsSync } from 'node:fs';
import { realSystemClock } from './system-clock.js';
import { stat } from 'node:fs/promises';
import { silentLogger, type Logger } from '../ops/logger.js';
import { realDisk } from './disk.js';
import { serialGnssSource } from './gnss-source.js';
import type { UbloxSettings } from './gnss/receiver-setup.js';
import { realGpio, type Gpio } from './gpio.js';
import { openGpiodBoard, type GpiodBoardOptions } from './gpio/gpiod-board.js';
import { readHardwareSerial } from './hardware-serial.js';
import { HardwareMissingError, type HardwareProfile } from './hardware-profile.js';
import type { I2cBus } from './i2c-bus.js';
import { i2cDevBus, openI2cDev } from './imu/i2c-dev-bus.js';
import { PolledImuFeed } from './imu/polled-imu-feed.js';
import { thermalZones } from './thermal.js';
import { realUsbGadget } from './usb-gadget.js';

export interface RealProfileOptions {
  dataDir: string;
  gnssPath: string;
  gnssBaud: number | 'auto';
  ublox?: UbloxSettings | null;
  usbGadgetPath: string;
  /** The IMU's I2C bus and address; null: the board has none. */
  imu?: { bus: number; address: number } | null;
  /** Buttons, switches and LEDs; null: not wired (presses never arrive). */
  gpio?: Omit<GpiodBoardOptions, 'log'> | null;
  /** Where /proc, /sys and /etc are (tests point it at a fake tree). */
  root?: string;
  /** Opens the IMU's bus (tests give a fake with i2c-bus's interface); /dev/i2c-N by default. */
  openI2c?: (bus: number) => Promise<I2cBus & { close(): Promise<void> }>;
  log?: Logger;
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
 * The real board: the GNSS receiver on a UART (found at its speed, set up by UBX when it is a
 * u-blox), the LSM6DSOX on I2C, buttons, switches and LEDs on GPIO lines, the USB CDC-ACM gadget,
 * the SoC serial, sysfs thermal zones and statfs. The receiver and the gadget are required; a
 * board without the IMU or the GPIO tools runs without them and says so in the log.
 */
export function realProfile(o: RealProfileOptions): HardwareProfile {
  const root = o.root ?? '/';
  const openI2c = o.openI2c ?? (async (bus: number) => i2cDevBus(await openI2cDev(bus)));
  const hasImu = () => o.imu != null && (o.openI2c !== undefined || existsSync(`/dev/i2c-${o.imu.bus}`));
  return {
    kind: 'real',
    model: REAL_MODEL,
    clock: realSystemClock,
    async probe() {
      const missing: string[] = [];
      if (!(await isCharDevice(o.gnssPath))) missing.push(`no GNSS receiver serial port at ${o.gnssPath} (hardware.gnssPath)`);
      if (!(await isCharDevice(o.usbGadgetPath))) missing.push(`no USB gadget serial port at ${o.usbGadgetPath} (hardware.usbGadgetPath)`);
      if (missing.length > 0) throw new HardwareMissingError(missing);
    },
    boardSerial: () => readHardwareSerial(root),
    async openGpio(log): Promise<Gpio> {
      if (!o.gpio) return realGpio();
      try {
        return await openGpiodBoard({ ...o.gpio, log });
      } catch (err) {
        log.error(`no buttons or LEDs (${o.gpio.chip}): ${(err as Error).message}; network pairing stays closed, USB pairing works`);
        return realGpio();
      }
    },
    openGnss: (log) => serialGnssSource({ path: o.gnssPath, baud: o.gnssBaud, ublox: o.ublox ?? null, log }),
    usbGadget: realUsbGadget(o.usbGadgetPath),
    disk: realDisk(o.dataDir),
    thermal: async () => thermalZones(root),
    imu: (rateHz) => {
      if (!hasImu()) {
        o.log?.warn(`no IMU: /dev/i2c-${o.imu?.bus ?? '?'} is absent; sessions carry no IMU samples`);
        return null;
      }
      const { bus, address } = o.imu!;
      return new PolledImuFeed({ rateHz, address, openBus: () => openI2c(bus), log: o.log ?? silentLogger });
    },
    earlierDrives: async () => [],
  };
}
