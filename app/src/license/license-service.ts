import { CompanionError, type DeviceEntry, type EventName, type EventPayload, type MethodParams, type MethodResult } from '@pitwall/protocol';
import type { DeviceRegistry } from '../discovery/device-registry.js';
import type { UnitChannels } from '../trust/unit-channel.js';
import { LicenseFleet } from './license-fleet.js';
import { readLicenseFile } from './license-file.js';
import type { LicenseStore } from './license-store.js';
import type { RevocationHolder } from './revocation-holder.js';

export interface LicenseServiceOptions {
  channels: UnitChannels;
  registry: DeviceRegistry;
  store: LicenseStore;
  holder: RevocationHolder;
  vendorKeysDir: string | null;
  events: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  log: (m: string) => void;
  /** How often reachable units are asked again (default 60 s); a unit that comes online is asked at once. */
  intervalMs?: number;
}

/**
 * The licence methods of the window contract and the CLI, and the companion's routine of asking
 * units for their licence (on connect, then every interval), which also carries the held
 * revocation list to them.
 */
export function createLicenseService(o: LicenseServiceOptions) {
  const fleet = new LicenseFleet({ ...o, onChange: (views) => o.events('license:changed', views) });
  const asked = new Set<string>();
  let closed = false;
  // Background asks still running: close() waits for them, so none writes to a closed store.
  const running = new Set<Promise<unknown>>();
  const inBackground = (work: () => Promise<unknown>) => {
    if (closed) return;
    const p = work()
      .catch((err: Error) => o.log(`licence check failed: ${err.message}`))
      .finally(() => running.delete(p));
    running.add(p);
  };
  const askNew = (entries: readonly DeviceEntry[]) => {
    for (const e of entries) {
      const ready = e.online && e.pairing.state === 'paired';
      if (!ready) asked.delete(e.id);
      else if (!asked.has(e.id) && !closed) {
        asked.add(e.id);
        inBackground(() => fleet.refresh([e.id]));
      }
    }
  };
  const timer = setInterval(() => inBackground(() => fleet.refresh()), o.intervalMs ?? 60_000);
  timer.unref();
  let installing = false;
  return {
    fleet,
    /** Called with the device list whenever it changes: units newly online and paired are asked now. */
    onDevices: askNew,
    /** Stops asking; resolves once the asks already under way have ended. */
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.all(running);
    },
    handlers: {
      'license:inspect': async ({ path }: MethodParams<'license:inspect'>): Promise<MethodResult<'license:inspect'>> => (await readLicenseFile(path, o.vendorKeysDir)).summary,
      'license:install': async ({ path, unitIds }: MethodParams<'license:install'>): Promise<MethodResult<'license:install'>> => {
        for (const id of unitIds) if (!o.registry.has(id)) throw new CompanionError('not-found', `no unit with id ${id} in the device list`);
        const file = await readLicenseFile(path, o.vendorKeysDir);
        if (installing) throw new CompanionError('conflict', 'a licence install is under way; wait for it to finish');
        installing = true;
        try {
          return await fleet.install(file, unitIds);
        } finally {
          installing = false;
        }
      },
      'license:fleet': async (): Promise<MethodResult<'license:fleet'>> => fleet.views(),
      'license:refresh': async (): Promise<MethodResult<'license:refresh'>> => {
        await fleet.refresh();
        return fleet.views();
      },
      'license:revocations': async (): Promise<MethodResult<'license:revocations'>> => o.holder.current()?.view ?? null,
      'license:import-revocations': async ({ path }: MethodParams<'license:import-revocations'>): Promise<MethodResult<'license:import-revocations'>> => {
        const held = await o.holder.importFile(path);
        inBackground(() => fleet.refresh());
        return held;
      },
    },
  };
}
