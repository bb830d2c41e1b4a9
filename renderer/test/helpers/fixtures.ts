import type { DeviceEntry, LiveFix, SessionLap, SessionLaps, SessionListEntry } from '@pitwall/protocol';

// Only the fields the stores read are filled in; the rest of each contract type does not matter here.

export const device = (id: string, name: string, online = true): DeviceEntry => ({ id, name, online }) as unknown as DeviceEntry;

export const fix = (n: number): LiveFix => ({ lat: n, lon: 127, speedMps: 20 }) as unknown as LiveFix;

export const sessionEntry = (id: number, trackName: string | null = 'Ridge — GP'): SessionListEntry =>
  ({ id, trackId: trackName ? 'ridge-gp' : null, trackName, trackByHand: false }) as unknown as SessionListEntry;

export function sessionLaps(id: number, timesMs: number[]): SessionLaps {
  const laps = timesMs.map((timeMs, i) => ({ lap: i + 1, timeMs }) as SessionLap);
  const best = timesMs.indexOf(Math.min(...timesMs));
  return { session: sessionEntry(id), laps, bestIndex: best } as unknown as SessionLaps;
}
