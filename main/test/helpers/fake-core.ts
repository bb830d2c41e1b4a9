import { CompanionError, type DeviceEntry, type EventSink, type LiveFix } from '@pitwall/protocol';
import type { CoreHandlers } from '../../src/handlers.js';

/** An in-memory companion core for tests of main/ only (the product uses app/'s). */
export interface FakeCore {
  handlers: CoreHandlers;
  calls: string[];
  watching: Set<string>;
  emitFix(id: string, fix?: Partial<LiveFix>): void;
}

export const UNIT_A = '11111111-2222-4333-8444-555555555555';
export const UNIT_B = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

export function entry(id: string, name: string): DeviceEntry {
  return {
    id,
    name,
    model: 'PW-1',
    firmware: '1.2.3',
    commit: 'abcdef0',
    links: [{ kind: 'address', target: '127.0.0.1:9', online: true, lastSeen: Date.now() }],
    online: true,
    lastSeen: Date.now(),
    gnss: null,
    pairing: { state: 'paired', role: 'owner', pinnedFingerprint: FP, seenFingerprint: FP },
  };
}

const FP = `SHA256:${'A'.repeat(43)}`;

const offline = async (): Promise<never> => {
  throw new CompanionError('unreachable', 'unit offline');
};
const licenseNone = {
  'license:inspect': offline,
  'license:install': offline,
  'license:fleet': async () => [],
  'license:refresh': async () => [],
  'license:revocations': async () => null,
  'license:import-revocations': offline,
};
const wifiOffline = { 'wifi:status': offline, 'wifi:scan': offline, 'wifi:list': offline, 'wifi:add': offline, 'wifi:remove': offline, 'wifi:priority': offline, 'wifi:connect': offline };

const noHub = async (): Promise<never> => {
  throw new CompanionError('not-found', 'No hub is connected.');
};
const hubNotConnected = {
  'hub:status': async () => ({
    connection: null, groups: [], queue: [], shared: [], lastShared: 0, lastSyncAt: null, problem: null, offline: false, retryAt: null, running: false,
    registry: { lastSyncAt: null, pushed: null, pulled: null, changes: [], error: null },
  }),
  'hub:connect': noHub, 'hub:forget': noHub, 'hub:choose-groups': noHub, 'hub:share': noHub, 'hub:sync': noHub, 'hub:registry-sync': noHub,
  'hub:units': noHub, 'hub:register-unit': noHub, 'hub:fetch-challenges': noHub, 'hub:forward-registrations': noHub,
  'hub:rosters': noHub, 'hub:roster-edit': noHub, 'hub:roster-discard': noHub, 'hub:rosters-sync': noHub,
};

export function createFakeCore(events: EventSink): FakeCore {
  const devices = new Map([UNIT_A, UNIT_B].map((id, i) => [id, entry(id, `Unit ${i + 1}`)]));
  const calls: string[] = [];
  const watching = new Set<string>();
  const known = (id: string): DeviceEntry => {
    const d = devices.get(id);
    if (!d) throw new CompanionError('not-found', `no unit ${id}`);
    return d;
  };
  /** A known unit that is not reachable (support mode needs the unit itself). */
  const unitOffline = async ({ id }: { id: string }): Promise<never> => {
    known(id);
    throw new CompanionError('unreachable', 'unit offline');
  };
  const handlers: CoreHandlers = {
    'devices:list': async () => (calls.push('list'), [...devices.values()]),
    'devices:add-address': async ({ address }) => {
      calls.push(`add ${address}`);
      if (address === 'boom') throw new Error('secret internal detail /home/x/.ssh');
      if (!/:\d+$/.test(address)) throw new CompanionError('bad-address', `"${address}" is not a unit address`);
      throw new CompanionError('unreachable', `nothing answered at ${address}`);
    },
    'devices:forget': async ({ id }) => {
      known(id);
      devices.delete(id);
      events('devices:changed', [...devices.values()]);
      return {};
    },
    'devices:status': async ({ id }) => {
      known(id);
      throw new CompanionError('unreachable', 'unit offline');
    },
    'live:watch': async ({ id }) => {
      known(id);
      calls.push(`watch ${id}`);
      watching.add(id);
      return {};
    },
    'live:unwatch': async ({ id }) => {
      calls.push(`unwatch ${id}`);
      watching.delete(id);
      return {};
    },
    'operator:identity': async () => ({ fingerprint: FP, name: 'tester@host', storage: 'file' }),
    'pairing:window': async ({ id }) => (known(id), { open: false, closesInS: null }),
    'pairing:pair': async ({ id, role }) => (known(id), { role, unitFingerprint: FP, operatorFingerprint: FP }),
    'pairing:unpair': async ({ id }) => (known(id), {}),
    'pairing:operators': async ({ id }) => (known(id), []),
    'pairing:revoke': async ({ id }) => (known(id), {}),
    'pairing:requests': async ({ id }) => (known(id), { unitFingerprint: FP, requests: [] }),
    'pairing:approve': async ({ id, requestId }) => {
      known(id);
      throw new CompanionError('not-found', `no pending request ${requestId}`);
    },
    'pairing:deny': async ({ id, requestId }) => {
      known(id);
      throw new CompanionError('not-found', `no pending request ${requestId}`);
    },
    'logs:query': async () => ({ rows: [], next: null, total: 0, capped: false }),
    'logs:record': async ({ id }) => {
      throw new CompanionError('not-found', `no log record ${id}`);
    },
    'logs:tail': async ({ id }) => (known(id), {}),
    'health:series': async ({ id }) => ({ unitId: id, points: [], latest: null }),
    'health:fleet': async () => [],
    'crashes:list': async () => [],
    'crashes:get': async ({ crashId }) => {
      throw new CompanionError('not-found', `no crash ${crashId}`);
    },
    'sync:diagnostics': async () => [],
    'diagnostics:export': async ({ id }) => {
      known(id);
      throw new CompanionError('unreachable', 'unit offline');
    },
    'sessions:list': async () => [],
    'sessions:laps': async ({ session }) => {
      throw new CompanionError('not-found', `no session ${session}`);
    },
    'sessions:trace': async ({ session }) => {
      throw new CompanionError('not-found', `no session ${session}`);
    },
    'sessions:compare': async ({ a }) => {
      throw new CompanionError('not-found', `no session ${a.session}`);
    },
    'fleet:tracks': async () => [],
    ...hubNotConnected,
    'fleet:distribution': async ({ trackId }) => {
      throw new CompanionError('not-found', `no track "${trackId}"`);
    },
    'sync:start': async () => ({ units: [], fetched: 0, resumes: 0, refetches: 0 }),
    'tracks:list': async () => [],
    'sessions:set-track': async ({ session }) => {
      throw new CompanionError('not-found', `no session ${session}`);
    },
    'tracks:add': async ({ session }) => {
      throw new CompanionError('not-found', `no session ${session}`);
    },
    'tracks:push': async () => {
      throw new CompanionError('unreachable', 'unit offline');
    },
    'tracks:own': async () => [],
    'tracks:rename': async ({ id }) => {
      throw new CompanionError('not-found', `no own track "${id}"`);
    },
    'tracks:book': async () => ({ tracks: {}, groups: {} }),
    'tracks:merge': async () => ({ changes: [] }),
    'updates:inspect': async ({ path }) => {
      throw new CompanionError('not-found', `no bundle file at ${path}`);
    },
    'updates:push': async () => {
      throw new CompanionError('unreachable', 'unit offline');
    },
    'updates:status': async () => [],
    'support:status': unitOffline,
    'support:on': unitOffline,
    'support:off': unitOffline,
    'support:export-list': unitOffline,
    'support:export-get': unitOffline,
    'support:export-archive': unitOffline,
    ...wifiOffline,
    ...licenseNone,
  };
  return {
    handlers,
    calls,
    watching,
    emitFix(id, fix = {}) {
      events('live:fix', {
        id,
        fix: { time: new Date().toISOString(), fix: '3d', lat: 1, lon: 2, altM: 3, speedMps: 10, courseDeg: 0, satellites: 9, hdop: 0.9, ...fix },
      });
    },
  };
}
