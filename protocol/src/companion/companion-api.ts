import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DeviceStatus } from '../device-api/device-status.js';
import { LiveFix } from '../device-api/live-fix.js';
import { LiveLap } from '../device-api/live-lap.js';
import { LiveTiming } from '../device-api/live-timing.js';
import { UnitId } from '../device-api/unit-id.js';
import { validator, type Validator } from '../validate.js';
import { DeviceEntry } from './device-entry.js';
import { sessionEvents, sessionMethods } from './sessions-api.js';
import { trackMethods } from './tracks-api.js';
import { updateEvents, updateMethods } from './updates-api.js';
import { supportMethods } from './support-api.js';
import { supportExportMethods } from './support-export-api.js';
import { wifiMethods } from './wifi-api.js';
import { licenseEvents, licenseMethods } from './licenses-api.js';
import { compareMethods } from './compare-api.js';
import { fleetMethods } from './fleet-api.js';
import { hubEvents, hubMethods } from './hub-api.js';
import { hubUnitsMethods } from './hub-units-api.js';
import { hubRostersMethods } from './hub-rosters-api.js';
import { Fingerprint } from '../identity/fingerprint.js';
import { Operator } from '../identity/operator.js';
import { OwnerRequest } from '../identity/owner-approval.js';
import { PairingWindow } from '../identity/pairing.js';
import { Role } from '../identity/role.js';
import {
  CrashDetail,
  ExportResult,
  FleetHealthRow,
  HealthSeries,
  LogDetail,
  LogPage,
  LogsQueryParams,
  LogTailEvent,
  StoredCrash,
  SyncProgress,
  UnitSyncResult,
} from './diagnostics-api.js';

/**
 * The one contract between the UI and the companion (window.pitwall). Electron IPC and the
 * browser-mode HTTP/WebSocket host both serve exactly these methods and events, and both
 * validate params on receipt.
 */
const Empty = Type.Object({}, { additionalProperties: false });
const ById = Type.Object({ id: UnitId }, { additionalProperties: false });
const OwnerRequestRef = Type.Object({ id: UnitId, requestId: OwnerRequest.properties.id }, { additionalProperties: false });

export const AppInfo = Type.Object(
  {
    version: Type.String(),
    mode: Type.Union([Type.Literal('electron'), Type.Literal('browser')]),
  },
  { additionalProperties: false },
);

export const companionMethods = {
  'app:info': { params: Empty, result: AppInfo },
  'devices:list': { params: Empty, result: Type.Array(DeviceEntry) },
  'devices:add-address': {
    params: Type.Object({ address: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }),
    result: DeviceEntry,
  },
  'devices:forget': { params: ById, result: Empty },
  'devices:status': { params: ById, result: DeviceStatus },
  'live:watch': { params: ById, result: Empty },
  'live:unwatch': { params: ById, result: Empty },
  /** This companion's operator identity (its key never leaves the companion). */
  'operator:identity': {
    params: Empty,
    result: Type.Object(
      {
        fingerprint: Fingerprint,
        name: Type.String(),
        storage: Type.Union([Type.Literal('safe-storage'), Type.Literal('file')]),
      },
      { additionalProperties: false },
    ),
  },
  /** Network pairing needs the unit's button pressed: the UI polls this for the countdown. */
  'pairing:window': { params: ById, result: PairingWindow },
  'pairing:pair': {
    params: Type.Object(
      { id: UnitId, via: Type.Union([Type.Literal('usb'), Type.Literal('net')]), role: Role },
      { additionalProperties: false },
    ),
    // Both keys, for the person pairing to compare: the unit's (now pinned) and this companion's.
    result: Type.Object({ role: Role, unitFingerprint: Fingerprint, operatorFingerprint: Fingerprint }, { additionalProperties: false }),
  },
  'pairing:unpair': { params: ById, result: Empty },
  'pairing:operators': { params: ById, result: Type.Array(Operator) },
  'pairing:revoke': {
    params: Type.Object({ id: UnitId, fingerprint: Fingerprint }, { additionalProperties: false }),
    result: Empty,
  },
  /** Owner only: requests to become an owner waiting for approval, with the unit's pinned key to compare. */
  'pairing:requests': {
    params: ById,
    result: Type.Object({ unitFingerprint: Fingerprint, requests: Type.Array(OwnerRequest) }, { additionalProperties: false }),
  },
  'pairing:approve': { params: OwnerRequestRef, result: Operator },
  'pairing:deny': { params: OwnerRequestRef, result: Empty },
  // Diagnostics pulled from units (logs, health, crash dumps), read from the companion's store.
  'logs:query': { params: LogsQueryParams, result: LogPage },
  'logs:record': { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }), result: LogDetail },
  /** Live tail of one unit: `on` starts (or keeps) it, `off` stops it; rows arrive as `logs:tail` events. */
  'logs:tail': {
    params: Type.Object({ id: UnitId, on: Type.Boolean() }, { additionalProperties: false }),
    result: Empty,
  },
  'health:series': {
    params: Type.Object({ id: UnitId, from: Type.Optional(Type.String({ maxLength: 40 })), to: Type.Optional(Type.String({ maxLength: 40 })) }, { additionalProperties: false }),
    result: HealthSeries,
  },
  'health:fleet': { params: Empty, result: Type.Array(FleetHealthRow) },
  'crashes:list': { params: Type.Object({ id: Type.Optional(UnitId) }, { additionalProperties: false }), result: Type.Array(StoredCrash) },
  'crashes:get': {
    params: Type.Object({ crashId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,80}$' }), unitId: UnitId }, { additionalProperties: false }),
    result: CrashDetail,
  },
  /** Pulls logs, health and crash dumps from the given units (default: every paired online unit). */
  'sync:diagnostics': {
    params: Type.Object({ ids: Type.Optional(Type.Array(UnitId, { maxItems: 500 })) }, { additionalProperties: false }),
    result: Type.Array(UnitSyncResult),
  },
  /** Writes one unit's diagnostics archive (tar.gz) into the companion's exports folder; `path` is a file name there. */
  'diagnostics:export': {
    params: Type.Object({ id: UnitId, path: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._ -]*$' })) }, { additionalProperties: false }),
    result: ExportResult,
  },
  ...sessionMethods,
  ...trackMethods,
  ...updateMethods,
  ...supportMethods,
  ...supportExportMethods,
  ...wifiMethods,
  ...licenseMethods,
  ...compareMethods,
  ...fleetMethods,
  ...hubMethods,
  ...hubUnitsMethods,
  ...hubRostersMethods,
} as const satisfies Record<string, { params: TSchema; result: TSchema }>;

export const companionEvents = {
  'devices:changed': Type.Array(DeviceEntry),
  'live:fix': Type.Object({ id: UnitId, fix: LiveFix }, { additionalProperties: false }),
  /** The unit's lap in progress (about 5 a second while it knows its track). */
  'live:timing': Type.Object({ id: UnitId, timing: LiveTiming }, { additionalProperties: false }),
  /** A lap the unit completed. */
  'live:lap': Type.Object({ id: UnitId, lap: LiveLap }, { additionalProperties: false }),
  'sync:progress': SyncProgress,
  'logs:tail': LogTailEvent,
  ...sessionEvents,
  ...updateEvents,
  ...licenseEvents,
  ...hubEvents,
} as const satisfies Record<string, TSchema>;

export type MethodName = keyof typeof companionMethods;
export type EventName = keyof typeof companionEvents;
export type MethodParams<M extends MethodName> = Static<(typeof companionMethods)[M]['params']>;
export type MethodResult<M extends MethodName> = Static<(typeof companionMethods)[M]['result']>;
export type EventPayload<E extends EventName> = Static<(typeof companionEvents)[E]>;

export const ErrorCode = Type.Union([
  Type.Literal('invalid-params'),
  Type.Literal('unknown-method'),
  Type.Literal('not-found'),
  Type.Literal('unreachable'),
  Type.Literal('not-a-unit'),
  Type.Literal('bad-address'),
  Type.Literal('forbidden'),
  Type.Literal('not-paired'),
  Type.Literal('key-changed'),
  Type.Literal('conflict'),
  Type.Literal('pairing-closed'),
  Type.Literal('internal'),
  /** The companion's database refused (corrupt, read-only, disk full): the message is the sentence for the user. */
  Type.Literal('storage'),
]);
export type ErrorCode = Static<typeof ErrorCode>;

export const CallError = Type.Object({ code: ErrorCode, message: Type.String() }, { additionalProperties: false });
export type CallError = Static<typeof CallError>;

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: CallError };

/** What `window.pitwall` is, in Electron and in browser mode alike. */
export interface PitwallApi {
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<CallResult<MethodResult<M>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(companionMethods, name);
}

const paramValidators = new Map<MethodName, Validator<TSchema>>();
/** Validator for a method's params, compiled on first use. */
export function paramsValidator(method: MethodName): Validator<TSchema> {
  let v = paramValidators.get(method);
  if (!v) {
    v = validator(`${method} params`, companionMethods[method].params);
    paramValidators.set(method, v);
  }
  return v;
}

/** Error envelope used when a call fails before or inside a handler. */
export class CompanionError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CompanionError';
  }
}

/** Server side of the contract: one async handler per method. `main/` serves these over IPC and HTTP. */
export type CompanionHandlers = { [M in MethodName]: (params: MethodParams<M>) => Promise<MethodResult<M>> };
/** Where the companion core publishes contract events. */
export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void;
export * from './sessions-api.js';
export * from './compare-api.js';
export * from './fleet-api.js';
export * from './hub-api.js';
export * from './hub-units-api.js';
export * from './hub-rosters-api.js';
