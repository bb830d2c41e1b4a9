import type { DeviceEntry } from '@pitwall/protocol';
import { createCompanion, defaultUserDataDir, type Companion } from './companion.js';
import { matchUnit } from './unit-commands.js';

/**
 * What the commands that act on paired units through a companion opened for the command share
 * (`pitwall update`, `pitwall license install|status|revocations`, `pitwall hub register`): how
 * the units are reached, the companion, and finding the named units while discovery sees them.
 */

/** How the units are reached: by address (repeatable), by mDNS unless --no-mdns, waiting --timeout S for them. */
export const UNIT_REACH_OPTIONS = {
  address: { type: 'string', multiple: true, default: [] as string[] },
  'no-mdns': { type: 'boolean', default: false },
  timeout: { type: 'string' },
} as const;

/** A companion on `dataDir` (default: the user's) for one command: no serial ports, no hotplug, no events. */
export const commandCompanion = (dataDir: string | undefined, mdns: boolean): Companion =>
  createCompanion({ dataDir: dataDir ?? defaultUserDataDir(), serialPaths: [], mdns, hotplug: false, pollIntervalMs: 500, events: () => undefined });

/** What a search of the known units gives: what it looked for, or why not. */
export type Found<T> = { found: T } | { error: string };

/** The unit `name` names (matched as `pitwall pair` does), if it is paired with this companion. */
export function pairedUnit(known: DeviceEntry[], name: string): Found<DeviceEntry> {
  const m = matchUnit(known, name);
  if ('error' in m) return m;
  if (m.unit.pairing.state !== 'paired') return { error: `${m.unit.name} is not paired with this companion: pair it first (pitwall pair ${name})` };
  return { found: m.unit };
}

/** As `pairedUnit`, and online. */
export function pairedOnlineUnit(known: DeviceEntry[], name: string): Found<DeviceEntry> {
  const m = pairedUnit(known, name);
  if ('found' in m && !m.found.online) return { error: `${m.found.name} is not online` };
  return m;
}

/** Asks `look` about the units discovery knows until it finds what it wants or `waitMs` is up; then its last error. */
export async function untilFound<T>(companion: Companion, waitMs: number, look: (known: DeviceEntry[]) => Found<T>): Promise<Found<T>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    await companion.refresh();
    const r = look(companion.list());
    if ('found' in r || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
