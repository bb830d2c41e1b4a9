import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { UnitConfig } from '@pitwall/protocol';
import type { HardwareProfile } from './hardware-profile.js';
import { realProfile } from './real-profile.js';
import { simProfile } from './sim/sim-profile.js';

export { SIM_MODEL } from './sim/sim-profile.js';

export type ProfileKind = 'sim' | 'real';

/** The sim's receiver replays this unless the configuration names another recording. */
export const DEFAULT_RECORDING = fileURLToPath(new URL('../../../resources/recordings/everland-aim-solo.nmea', import.meta.url));

/** The board the configuration describes: the simulated one, or the real drivers. */
export function hardwareProfile(kind: ProfileKind, config: UnitConfig): HardwareProfile {
  if (kind === 'real') {
    const { gnssPath, gnssBaud, usbGadgetPath } = config.hardware;
    return realProfile({ dataDir: config.dataDir, gnssPath, gnssBaud, usbGadgetPath });
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
