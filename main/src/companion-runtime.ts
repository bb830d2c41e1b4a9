import { mkdirSync } from 'node:fs';
import type { CompanionHandlers } from '@pitwall/protocol';
import type { SecretStore, SupportDownloads } from '@pitwall/app';
import { createCompanion, defaultUserDataDir } from './companion.js';
import { createEventHub, type EventHub } from './event-hub.js';
import { buildHandlers, type CoreHandlers } from './handlers.js';
import { APP_VERSION } from './paths.js';

export interface RuntimeOptions {
  dataDir?: string | undefined;
  serialPaths?: string[];
  mdns?: boolean;
  addresses?: string[];
  mode: 'electron' | 'browser';
  /** Where the operator key lives (the desktop app passes its safeStorage store); default a 0600 file in the data directory. */
  secretStore?: (dataDir: string) => SecretStore;
  /** Where the hub member token lives (the desktop app passes a keychain-backed one); default a 0600 file in the data directory. */
  hubTokenStore?: (dataDir: string) => SecretStore;
  log: (line: string) => void;
  /** Where support-export downloads go (browser mode: staged for a download link; desktop: a folder the user picks). */
  supportDownloads?: (dataDir: string) => SupportDownloads;
  /** Discovery debug lines (why a port or service was ignored); off unless --verbose. */
  debug?: (line: string) => void;
  /** Tests inject a fake core; the product always uses app/'s. */
  core?: (events: EventHub) => Promise<{ handlers: CoreHandlers; close(): Promise<void> | void }>;
}

export interface Runtime {
  readonly handlers: CompanionHandlers;
  readonly events: EventHub;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** Starts the companion core and adds the addresses given on the command line. */
export async function openRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const dataDir = opts.dataDir ?? defaultUserDataDir();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const events = createEventHub((err) => opts.log(`event listener failed: ${String(err)}`));
  const core = opts.core
    ? await opts.core(events)
    : createCompanion({
        dataDir,
        serialPaths: opts.serialPaths ?? [],
        mdns: opts.mdns ?? true,
        events: events.sink,
        log: opts.debug,
        onInternalError: (method, err) => opts.log(`${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
        secretStore: opts.secretStore?.(dataDir),
        hubTokenStore: opts.hubTokenStore?.(dataDir),
        supportDownloads: opts.supportDownloads?.(dataDir),
      });
  const handlers = buildHandlers(core.handlers, { version: APP_VERSION, mode: opts.mode });
  for (const address of opts.addresses ?? []) {
    try {
      const entry = await handlers['devices:add-address']({ address });
      opts.log(`added ${address}: ${entry.name} (${entry.id})`);
    } catch (err) {
      opts.log(`could not add ${address}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  let closed = false;
  return {
    handlers,
    events,
    dataDir,
    async close() {
      if (closed) return;
      closed = true;
      await core.close();
    },
  };
}
