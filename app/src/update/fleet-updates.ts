import type { UnitChannels } from '../trust/unit-channel.js';
import { pushToUnits, type FleetPushOptions, type FleetPushProgress } from './fleet-update.js';
import { askUpdate, watchUpdates, type UnitUpdateState, type WatchOptions } from './update-watch.js';

export interface FleetUpdates {
  push(o: Omit<FleetPushOptions, 'channels'>): Promise<FleetPushProgress>;
  watch(o: Omit<WatchOptions, 'channels'>): Promise<UnitUpdateState[]>;
  status(unitIds: string[]): Promise<UnitUpdateState[]>;
}

/** The companion's update client over its authenticated unit channels. */
export function fleetUpdates(channels: UnitChannels): FleetUpdates {
  return {
    push: (o) => pushToUnits({ ...o, channels }),
    watch: (o) => watchUpdates({ ...o, channels }),
    status: (unitIds) => Promise.all(unitIds.map((id) => askUpdate(channels, id))),
  };
}
