import {
  CompanionError,
  Routes,
  SchemaError,
  paramsValidator,
  type CompanionHandlers,
  type EventSink,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type TrackDefinition,
} from '@pitwall/protocol';
import { LiveClient } from './device-client/live-client.js';
import { OperatorKeyring } from './identity/operator-key.js';
import { FileSecretStore, MemorySecretStore, type SecretStore } from './identity/secret-store.js';
import { PinRepo } from './store/pin-repo.js';
import { OwnerRequests } from './trust/owner-requests.js';
import { PairingService } from './trust/pairing-service.js';
import { UnitChannels } from './trust/unit-channel.js';
import { supportHandlers } from './support/support-handlers.js';
import { stagedDownloads, supportExportHandlers, type SupportDownloads } from './support/support-export-handlers.js';
import { AddressMonitor } from './discovery/address-monitor.js';
import { parseAddress, probeAddress } from './discovery/address-prober.js';
import { DeviceRegistry, identityFromInfo } from './discovery/device-registry.js';
import { GnssRefresher } from './discovery/gnss-refresher.js';
import { MdnsBrowser } from './discovery/mdns-browser.js';
import { SerialScanner, type PortListing } from './discovery/serial-scanner.js';
import { openDatabase } from './store/database.js';
import { StoreError } from './store/store-errors.js';
import { DeviceRepo } from './store/device-repo.js';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { DiagnosticsService } from './diagnostics/diagnostics-service.js';
import { DiagnosticsStore } from './diagnostics/diagnostics-store.js';
import { fleetUpdates, type FleetUpdates } from './update/fleet-updates.js';
import { createUpdatesService } from './update/updates-service.js';
import { exportDiagnostics, exportFileName, type ExportAudit } from './diagnostics/diagnostics-export.js';
import { HttpsDiagnosticsSource } from './diagnostics/unit-source.js';
import { createSessionsService, loadTracks } from './sessions/sessions-service.js';
import { wifiHandlers } from './wifi/wifi-handlers.js';
import { ingestThreadsEnded } from './sessions/ingest-thread.js';
import { createLicenseService } from './license/license-service.js';
import type { LicenseFleet } from './license/license-fleet.js';
import { LicenseStore } from './license/license-store.js';
import { RevocationHolder } from './license/revocation-holder.js';
import { createHubService } from './hub/hub-service.js';
import { createHubUnitsService } from './hub/hub-units-service.js';
import { createHubRostersService } from './hub/hub-rosters-service.js';

export interface CompanionOptions {
  /** Directory of the companion database; null keeps everything in memory (nothing persisted). */
  dataDir: string | null;
  /** Serial ports to try besides enumerated gadget ports (sim units' ptys). */
  serialPaths?: string[];
  /** Browse mDNS (default true). Multicasts on the host's interfaces: tests keep it off outside namespaces. */
  mdns?: boolean;
  /** Scan serial ports (default true). */
  serial?: boolean;
  /** USB hot-plug through the `usb` library (default true; polling is used anyway). */
  hotplug?: boolean;
  /** Poll period of serial scans, address probes, mDNS checks and GNSS refresh (default 2000 ms). */
  pollIntervalMs?: number;
  /** Port enumeration override (default SerialPort.list). */
  listPorts?: () => Promise<PortListing[]>;
  events: EventSink;
  /** Where the operator key lives (default: a 0600 file in `dataDir`, or memory without one). */
  secretStore?: SecretStore;
  /** Operator name shown to units (default user@hostname). */
  operatorName?: string;
  /** Track catalog for lap timing (default: resources/tracks/catalog.json). */
  tracks?: readonly TrackDefinition[];
  /** Debug lines (discovery reasons, ignored services, failed probes). */
  log?: (message: string) => void;
  /** Where `diagnostics:export` writes archives (default `<dataDir>/exports`). */
  exportsDir?: string;
  /** Where `support:export-get|archive` put what they download (default: a fresh folder under `<exportsDir>/support`). */
  supportDownloads?: SupportDownloads;
  /** Units pulled at once by `sync:diagnostics` (default 4). */
  pullConcurrency?: number;
  /** Ask units to gzip the logs they send (default true; benchmarks compare without). */
  compressLogs?: boolean;
  /**
   * The companion's own failures (a bug, a disk or database error): reported here in full, told
   * to the window only as a sentence without internals (paths, SQL). Default: `log`.
   */
  onInternalError?: (method: string, err: unknown) => void;
  /** Where the hub member token lives (default: a 0600 file `hub-token` in `dataDir`, or memory without one). */
  hubTokenStore?: SecretStore;
  /** Hub calls' deadline and first retry wait after an unreachable hub (defaults 15 s, 30 s). */
  hubTimeoutMs?: number;
  hubRetryMs?: number;
}

export type CompanionCoreHandlers = Omit<CompanionHandlers, 'app:info'>;

export interface Companion {
  handlers: CompanionCoreHandlers;
  /** Current device list (same as the `devices:list` handler, synchronous). */
  list(): MethodResult<'devices:list'>;
  /** Adds a serial port to try (e.g. a sim unit's pty announced after start). */
  addSerialPath(path: string): void;
  /** Runs a serial scan and an address round now, and sends an mDNS query. */
  refresh(): Promise<void>;
  /** Pulls the unit's diagnostics (when reachable) and writes its archive to `out` (any path: CLI use). */
  exportDiagnosticsTo(id: string, out: string, pull?: boolean): Promise<MethodResult<'diagnostics:export'>>;
  /** Runtime updates: push a bundle file to paired units, follow them to committed or rolled back. */
  updates: FleetUpdates;
  /** Licences: each unit's, installs, the revocation list carried to units. */
  licenses: LicenseFleet;
  /** Calls to paired units through the table (for HubRegistrar and other app-side flows). */
  channels: UnitChannels;
  close(): Promise<void>;
}

/** Starts the companion core: store, discovery sources, device list, live subscriptions. */
export function createCompanion(opts: CompanionOptions): Companion {
  const log = opts.log ?? (() => undefined);
  const poll = opts.pollIntervalMs ?? 2000;
  const db = openDatabase(opts.dataDir);
  // Set once the channels exist; the registry's first changes come before that.
  let licenses: ReturnType<typeof createLicenseService> | null = null;
  const repo = new DeviceRepo(db);
  const pins = new PinRepo(db);
  const registry = new DeviceRegistry(
    repo,
    {
      onChange: (entries) => {
        opts.events('devices:changed', entries);
        licenses?.onDevices(entries);
      },
      debug: log,
    },
    pins,
  );
  const secretStore = opts.secretStore ?? (opts.dataDir === null ? new MemorySecretStore() : FileSecretStore.inDir(opts.dataDir));
  const keyring = new OperatorKeyring(secretStore, opts.operatorName);
  const channels = new UnitChannels(registry, keyring, log);
  const sink = {
    up: (identity: Parameters<DeviceRegistry['linkUp']>[0], target: string, kind: 'mdns' | 'usb') => registry.linkUp(identity, kind, target),
    debug: log,
  };
  const mdns =
    opts.mdns === false
      ? null
      : new MdnsBrowser(
          { up: (i, t) => sink.up(i, t, 'mdns'), down: (id, t) => registry.linkDown('mdns', t, id), debug: log },
          { verifyEveryMs: poll },
        );
  const serial =
    opts.serial === false
      ? null
      : new SerialScanner(
          { up: (i, p) => sink.up(i, p, 'usb'), down: (id, p) => registry.linkDown('usb', p, id), debug: log },
          { serialPaths: opts.serialPaths, pollIntervalMs: poll, listPorts: opts.listPorts, hotplug: opts.hotplug },
        );
  const addresses = new AddressMonitor(registry, repo, { pollIntervalMs: poll, debug: log });
  const gnss = new GnssRefresher(registry, channels, { intervalMs: poll, debug: log });
  const pairing = new PairingService({ registry, pins, channels, keyring, serialClient: (path) => serial?.clientFor(path), log });
  const ownerRequests = new OwnerRequests(registry, channels);
  const sessions = createSessionsService({
    db,
    dataDir: opts.dataDir,
    registry,
    channels,
    tracks: opts.tracks ?? loadTracks(),
    onProgress: (p) => opts.events('sessions:progress', p),
    log,
  });
  const live = new Map<string, { client: LiveClient; refs: number }>();
  let closed = false;
  const diagStore = new DiagnosticsStore(db);
  const diagnostics = new DiagnosticsService({
    store: diagStore,
    dataDir: opts.dataDir,
    source: (id) => new HttpsDiagnosticsSource(channels, id, { gzip: opts.compressLogs ?? true }),
    units: () => registry.list(),
    events: opts.events,
    concurrency: opts.pullConcurrency,
    log,
  });
  const exportsDir = opts.exportsDir ?? (opts.dataDir === null ? join(tmpdir(), 'pitwall-exports') : join(opts.dataDir, 'exports'));
  const exportTo = async (id: string, out: string): Promise<MethodResult<'diagnostics:export'>> => {
    const entry = registry.get(id) ?? null;
    if (!entry && !diagStore.unitsWithData().includes(id)) throw new CompanionError('not-found', `no unit with id ${id} in the device list`);
    let audit: ExportAudit = { kind: 'unavailable', note: 'This companion has no link to the unit: its audit log stays on the unit.' };
    if (entry?.online && entry.pairing.state === 'paired') {
      const source = new HttpsDiagnosticsSource(channels, id);
      try {
        const extract = await source.auditLog();
        audit = extract
          ? { kind: 'included', extract }
          : { kind: 'not-served', note: `${entry.name} does not serve its audit log (its firmware has no ${Routes.audit.path} endpoint); it stays on the unit.` };
      } catch (err) {
        const forbidden = err instanceof CompanionError && err.code === 'forbidden';
        audit = {
          kind: 'unavailable',
          note: forbidden
            ? `Only the owner of ${entry.name} may read its audit log; this companion is paired as ${entry.pairing.role ?? 'another role'}. It stays on the unit. (${err.message})`
            : `The audit log could not be read from ${entry.name}: ${(err as Error).message}`,
        };
      } finally {
        source.close();
      }
    } else if (entry) {
      audit = {
        kind: 'unavailable',
        note: `${entry.name} was ${entry.online ? 'online but not paired with this companion' : 'offline'} when this archive was made; its audit log stays on the unit (only its paired owner can read it).`,
      };
    }
    return exportDiagnostics({ store: diagStore, unitId: id, entry, audit, out });
  };

  const known = (id: string): void => {
    if (!registry.has(id)) throw new CompanionError('not-found', `no unit with id ${id} in the device list`);
  };

  const fleet = fleetUpdates(channels);
  const vendorKeysDir = opts.dataDir === null ? null : join(opts.dataDir, 'vendor-keys');
  const updates = createUpdatesService({ updates: fleet, vendorKeysDir, events: opts.events, log });
  licenses = createLicenseService({
    channels,
    registry,
    store: new LicenseStore(db),
    holder: RevocationHolder.open(opts.dataDir === null ? null : join(opts.dataDir, 'license'), vendorKeysDir, log),
    vendorKeysDir,
    events: opts.events,
    log,
  });
  const licenseService = licenses;
  const hub = createHubService({
    db,
    store: sessions.store,
    tokens: opts.hubTokenStore ?? (opts.dataDir === null ? new MemorySecretStore() : FileSecretStore.inDir(opts.dataDir, 'hub-token')),
    events: opts.events,
    timeoutMs: opts.hubTimeoutMs,
    retryMs: opts.hubRetryMs,
    log,
  });
  const hubUnits = createHubUnitsService({ dataDir: opts.dataDir, unit: channels, devices: () => registry.list(), link: hub.link, keyPresented: hub.keyPresented, timeoutMs: opts.hubTimeoutMs });
  const hubRosters = createHubRostersService({ db, link: hub.link, keyPresented: hub.keyPresented, timeoutMs: opts.hubTimeoutMs });
  const handlers: CompanionCoreHandlers = {
    'devices:list': async () => registry.list(),
    'devices:add-address': async ({ address }) => {
      const parsed = parseAddress(address);
      const { info, presented } = await probeAddress(parsed);
      registry.linkUp(identityFromInfo(info, presented?.fingerprint ?? null, Boolean(presented)), 'address', parsed.target);
      repo.saveManualAddress(parsed.target, info.id);
      addresses.add(parsed.target);
      return registry.get(info.id)!;
    },
    'devices:forget': async ({ id }) => {
      known(id);
      for (const { link } of registry.linksOf('address').filter((l) => l.id === id)) addresses.remove(link.target);
      const watched = live.get(id);
      watched?.client.close();
      live.delete(id);
      channels.drop(id);
      registry.forget(id);
      return {};
    },
    'devices:status': async ({ id }) => {
      known(id);
      const status = await channels.callRoute(id, Routes.status);
      if (status.id !== id) throw new CompanionError('conflict', `another unit (${status.id}) answered for ${registry.get(id)?.name ?? id}`);
      registry.setGnss(id, status.gnss);
      if (status.license) licenseService.fleet.record(id, status.license);
      return status;
    },
    'live:watch': async ({ id }) => {
      known(id);
      const existing = live.get(id);
      if (existing) {
        existing.refs++;
        return {};
      }
      channels.targets(id, channels.requirePin(id));
      const client = new LiveClient({
        prepare: async () => {
          const target = await channels.provenTarget(id);
          return { target, agent: await channels.streamAgent(id) };
        },
        onFix: (fix) => opts.events('live:fix', { id, fix }),
        onTiming: (timing) => opts.events('live:timing', { id, timing }),
        onLap: (lap) => opts.events('live:lap', { id, lap }),
        onProblem: (m) => log(`live ${id}: ${m}`),
      });
      live.set(id, { client, refs: 1 });
      return {};
    },
    'live:unwatch': async ({ id }) => {
      const existing = live.get(id);
      if (existing && --existing.refs <= 0) {
        existing.client.close();
        live.delete(id);
      }
      return {};
    },
    'operator:identity': async () => {
      const op = await keyring.get();
      return { fingerprint: op.fingerprint, name: op.name, storage: op.storage };
    },
    'pairing:window': async ({ id }) => {
      known(id);
      return pairing.window(id);
    },
    'pairing:pair': async ({ id, via, role }) => {
      known(id);
      const result = await pairing.pair(id, via, role);
      registry.flush();
      return result;
    },
    'pairing:unpair': async ({ id }) => {
      known(id);
      live.get(id)?.client.close();
      live.delete(id);
      await pairing.unpair(id);
      registry.flush();
      return {};
    },
    'pairing:operators': async ({ id }) => {
      known(id);
      return pairing.operators(id);
    },
    'pairing:revoke': async ({ id, fingerprint }) => {
      known(id);
      await pairing.revoke(id, fingerprint);
      return {};
    },
    'pairing:requests': async ({ id }) => {
      known(id);
      return ownerRequests.list(id);
    },
    'pairing:approve': async ({ id, requestId }) => {
      known(id);
      return ownerRequests.approve(id, requestId);
    },
    'pairing:deny': async ({ id, requestId }) => {
      known(id);
      await ownerRequests.deny(id, requestId);
      return {};
    },
    'logs:query': async (q) => diagStore.logs.query(q),
    'logs:record': async ({ id }) => {
      const found = diagStore.logs.record(id);
      if (!found) throw new CompanionError('not-found', `no log record ${id} is stored here`);
      return { id, ...found };
    },
    'logs:tail': async ({ id, on }) => {
      if (on) {
        known(id);
        channels.requirePin(id);
      }
      diagnostics.tail(id, on);
      return {};
    },
    'health:series': async ({ id, from, to }) => diagnostics.healthSeries(id, from, to),
    'health:fleet': async () => diagnostics.fleet(),
    'crashes:list': async ({ id }) => diagStore.crashes.list(id),
    'crashes:get': async ({ unitId, crashId }) => diagnostics.crashDetail(unitId, crashId),
    'sync:diagnostics': async ({ ids }) => diagnostics.sync(ids),
    'diagnostics:export': async ({ id, path }) => {
      const name = path ? basename(path) : exportFileName(registry.get(id) ?? null, id);
      return exportTo(id, join(exportsDir, name.endsWith('.tar.gz') ? name : `${name}.tar.gz`));
    },
    ...sessions.handlers,
    ...updates.handlers,
    ...supportHandlers(channels),
    ...supportExportHandlers(channels, opts.supportDownloads ?? stagedDownloads(join(exportsDir, 'support'))),
    ...wifiHandlers(channels),
    ...licenseService.handlers,
    ...hub.handlers,
    ...hubUnits.handlers,
    ...hubRosters.handlers,
  };

  return {
    handlers: guardHandlers(handlers, opts.onInternalError ?? ((method, err) => log(`${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`))),
    list: () => registry.list(),
    updates: fleet,
    licenses: licenseService.fleet,
    channels,
    addSerialPath: (path) => serial?.addPath(path),
    async exportDiagnosticsTo(id, out, pull = true) {
      if (pull && registry.get(id)?.online && registry.get(id)?.pairing.state === 'paired') {
        const [result] = await diagnostics.sync([id]);
        if (result && !result.ok) log(`pull before export failed: ${result.error}`);
      }
      return exportTo(id, out);
    },
    async refresh() {
      mdns?.query();
      await Promise.all([serial?.scanOnce(), addresses.probeAll()]);
      registry.flush();
    },
    async close() {
      if (closed) return;
      closed = true;
      const licenceChecks = licenseService.close();
      hub.close();
      await diagnostics.close();
      for (const { client } of live.values()) client.close();
      live.clear();
      gnss.close();
      channels.close();
      registry.close();
      await Promise.all([mdns?.close(), serial?.close(), addresses.close(), licenceChecks]);
      // A sync's ingest thread finishes its checkpoint on its own connection first.
      await ingestThreadsEnded();
      db.close();
    },
  };
}

/**
 * Validates params on receipt and turns every failure into a CompanionError with a code. The
 * companion's own failures (any other error, or one already coded `internal`) are reported in
 * full to `report` and reach the window as a sentence that names no path, query or message.
 */
function guardHandlers(handlers: CompanionCoreHandlers, report: (method: string, err: unknown) => void): CompanionCoreHandlers {
  const out: Partial<Record<MethodName, unknown>> = {};
  for (const method of Object.keys(handlers) as (keyof CompanionCoreHandlers)[]) {
    const handler = handlers[method] as (p: unknown) => Promise<unknown>;
    const check = paramsValidator(method);
    out[method] = async (params: MethodParams<typeof method>) => {
      try {
        return await handler(check.parse(params));
      } catch (err) {
        if (err instanceof CompanionError && err.code !== 'internal') throw err;
        if (err instanceof SchemaError) throw new CompanionError('invalid-params', err.message);
        report(method, err);
        // A store failure's message is a sentence for the user (store-errors.ts); SQLite's own words stay in the log.
        if (err instanceof StoreError) throw new CompanionError('storage', err.message);
        throw new CompanionError('internal', `The companion failed while handling ${method}. The details are in its log.`);
      }
    };
  }
  return out as CompanionCoreHandlers;
}
