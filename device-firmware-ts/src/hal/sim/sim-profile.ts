import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { HardwareProfile } from '../hardware-profile.js';
import { readSimBoardSerial, simDisk, simThermal } from './sim-board.js';
import { simGpio } from './sim-gpio.js';
import { SimImuFeed } from './sim-imu-feed.js';
import { nmeaReplayer } from './nmea-replayer.js';
import { earlierTrackDays } from './earlier-track-days.js';
import { simUsbGadget } from './sim-usb-gadget.js';
import { simClock } from './sim-clock.js';

export interface SimProfileOptions {
  dataDir: string;
  recording: string;
  speed: number;
  /** Companion-side end of the simulated USB gadget. */
  serialLink: string;
  /** Each replay pass ends with a pit stop this long, seconds (0: none). */
  pitStopS: number;
  /** Earlier track days the unit arrives with, and how long the car stands in the pits after each. */
  trackDays: number;
  parkedS: number;
  /** The shipped recordings (the earlier days' other venues). */
  recordingsDir: string;
  /** The hotspot latch's position at power-on. */
  hotspotLatch: boolean;
}

export const SIM_MODEL = 'PW-1 (sim)';

/**
 * The simulated board: a replayed receiver and the USB gadget on pseudo-terminals, the button
 * on a unix socket (DATA_DIR/run/sim-gpio.sock, which also takes the test hooks), the IMU
 * register model fed from the fixes, and board files under DATA_DIR/sim-board.
 */
export function simProfile(o: SimProfileOptions): HardwareProfile {
  const runDir = join(o.dataDir, 'run');
  const disk = simDisk(o.dataDir);
  const clock = simClock(o.dataDir);
  return {
    kind: 'sim',
    model: SIM_MODEL,
    clock,
    async probe() {
      if (!(await access(o.recording).then(() => true, () => false))) throw new Error(`recording not found: ${o.recording}`);
    },
    boardSerial: () => readSimBoardSerial(o.dataDir),
    openGpio: (log, hooks) =>
      simGpio(join(runDir, 'sim-gpio.sock'), log, {
        inject: hooks.inject,
        switches: { hotspot: o.hotspotLatch },
        diskFree: (b) => {
          disk.setFakeFree(b);
          hooks.onDiskChange();
        },
        clockOffset: (ms) => clock.setOffset(ms),
      }),
    openGnss: (log) => nmeaReplayer({ recordingPath: o.recording, runDir, speed: o.speed, log, continueAfterRestart: true, pitStopS: o.pitStopS }),
    usbGadget: simUsbGadget(runDir, o.serialLink),
    disk,
    thermal: () => simThermal(o.dataDir),
    imu: (rateHz) => new SimImuFeed(rateHz),
    earlierDrives: () => earlierTrackDays({ days: o.trackDays, replayed: o.recording, recordingsDir: o.recordingsDir, parkedS: o.parkedS }),
  };
}
