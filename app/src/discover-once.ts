import type { DeviceEntry } from '@pitwall/protocol';
import { createCompanion } from './companion.js';
import type { PortListing } from './discovery/serial-scanner.js';

export interface DiscoverOnceOptions {
  /** How long to listen, in ms. */
  timeoutMs: number;
  /** Store to use; null (default) discovers without reading or writing any state. */
  dataDir?: string | null;
  serialPaths?: string[];
  /** Addresses to probe too (host:port ...); bad or unreachable ones are reported through `log`. */
  addresses?: string[];
  mdns?: boolean;
  serial?: boolean;
  listPorts?: () => Promise<PortListing[]>;
  log?: (message: string) => void;
}

/**
 * For `pitwall discover --timeout S`: runs discovery for the given time and returns the units
 * that are online at the end (sorted by name).
 */
export async function discoverOnce(opts: DiscoverOnceOptions): Promise<DeviceEntry[]> {
  const poll = Math.max(250, Math.min(1000, Math.floor(opts.timeoutMs / 2)));
  const companion = createCompanion({
    dataDir: opts.dataDir ?? null,
    serialPaths: opts.serialPaths,
    mdns: opts.mdns,
    serial: opts.serial,
    pollIntervalMs: poll,
    listPorts: opts.listPorts,
    hotplug: false,
    events: () => undefined,
    log: opts.log,
  });
  try {
    await Promise.all(
      (opts.addresses ?? []).map((address) =>
        companion.handlers['devices:add-address']({ address }).catch((err: Error) => opts.log?.(`${address}: ${err.message}`)),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, opts.timeoutMs));
    return companion.list().filter((e) => e.online);
  } finally {
    await companion.close();
  }
}
