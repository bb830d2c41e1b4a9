import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { UnitConfig } from '@pitwall/protocol';
import type { HardwareProfile } from './hardware-profile.js';
import { realProfile, type RealProfileOptions } from './real-profile.js';
import { simProfile } from './sim/sim-profile.js';

export { SIM_MODEL } from './sim/sim-profile.js';

export type ProfileKind = 'sim' | 'real';

/** The real board's drivers as the configuration sets them up. */
export function realProfileOptions(config: UnitConfig): RealProfileOptions {
  const h = config.hardware;
  return {
    dataDir: config.dataDir,
    gnssPath: h.gnssPath,
    gnssBaud: h.gnssAutoBaud ? 'auto' : h.gnssBaud,
    ublox: h.ubloxRateHz > 0 ? { rateHz: h.ubloxRateHz, baud: h.ubloxBaud || null } : null,
    usbGadgetPath: h.usbGadgetPath,
    imu: { bus: h.i2cBus, address: h.imuAddress },
    gpio: {
      chip: h.gpioChip,
      debounceMs: h.gpioDebounceMs,
      buttons: { pair: h.pairButtonLine, recovery: h.recoveryButtonLine },
      switches: { support: h.supportSwitchLine, hotspot: h.hotspotSwitchLine },
      leds: { pair: h.pairLedLine, support: h.supportLedLine },
    },
  };
}

/** The sim's receiver replays this unless the configuration names another recording. */
export const DEFAULT_RECORDING = fileURLToPath(new URL('../../../resources/recordings/everland-aim-solo.nmea', import.meta.url));

/** The board the configuration describes: the simulated one, or the real drivers. */
export function hardwareProfile(kind: ProfileKind, config: UnitConfig): HardwareProfile {
  if (kind === 'real') {
    return realProfile(realProfileOptions(config));
  }
  return simProfile({
    dataDir: config.dataDir,
    recording: config.sim.recording ?? DEFAULT_RECORDING,
    speed: config.sim.speed,
    serialLink: config.sim.serialLink ?? join(config.dataDir, 'usb-host'),
    pitStopS: config.sim.pitStopS,
    trackDays: config.sim.trackDays,
    hotspotLatch: config.sim.hotspotLatch,
    // Parked longer than the recorder's stop time, so each earlier day's session closes.
    parkedS: config.sessions.stopS + 10,
    recordingsDir: dirname(DEFAULT_RECORDING),
  });
}
