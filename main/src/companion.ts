import type { DeviceEntry, EventSink } from '@pitwall/protocol';
import type { CoreHandlers } from './handlers.js';

/** The companion core of app/ as main uses it. */
export interface CompanionOptions {
  dataDir: string;
  serialPaths?: string[];
  mdns?: boolean;
  pollIntervalMs?: number;
  events: EventSink;
}
export interface Companion {
  handlers: CoreHandlers;
  close(): Promise<void> | void;
}
export interface DiscoverOptions {
  timeoutMs: number;
  serialPaths?: string[];
  mdns?: boolean;
}

interface AppModule {
  createCompanion(opts: CompanionOptions): Companion | Promise<Companion>;
  discoverOnce(opts: DiscoverOptions): Promise<DeviceEntry[]>;
}

const APP_MODULE = '@pitwall/app';
const load = async (): Promise<AppModule> => (await import(APP_MODULE)) as AppModule;

export async function createCompanion(opts: CompanionOptions): Promise<Companion> {
  return (await load()).createCompanion(opts);
}

export async function discoverOnce(opts: DiscoverOptions): Promise<DeviceEntry[]> {
  return (await load()).discoverOnce(opts);
}
