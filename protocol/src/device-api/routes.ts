import { Type } from '@sinclair/typebox';
import { route, type AnyRoute } from './route-spec.js';
import { DeviceInfo } from './device-info.js';
import { DeviceStatus } from './device-status.js';
import { LiveFix } from './live-fix.js';
import { LiveTiming } from './live-timing.js';
import { LiveLap } from './live-lap.js';
import { LiveQuery } from './live-query.js';
import { SessionConfirm, SessionList, SessionMeta } from './session-meta.js';
import { CrashIdParams, OperatorParams, OwnerRequestIdParams, SessionIdParams } from './route-params.js';
import { ChallengeRequest, ChallengeResponse } from '../identity/challenge.js';
import { NetworkPairRequest, PairingWindow, PairResult } from '../identity/pairing.js';
import { OwnerRequest, OwnerRequestList, PairingPending } from '../identity/owner-approval.js';
import { Operator, OperatorList } from '../identity/operator.js';
import { AuditQuery } from '../identity/audit-pull.js';
import { AuditRecord } from '../identity/audit-record.js';
import { HealthList, HealthQuery } from '../ops/health-snapshot.js';
import { CrashConfirm, CrashConfirmResult, CrashDump, CrashList } from '../ops/crash-dump.js';
import { LogBootList, LogConfirm, LogConfirmResult, LogQuery } from '../ops/log-pull.js';
import { LogRecord } from '../ops/log-record.js';
import { WifiAddRequest, WifiModeRequest, WifiNetworkList, WifiPriorityRequest, WifiProfile, WifiProfileList, WifiProfileParams, WifiRemoved, WifiScanQuery, WifiStatus } from './wifi.js';
import { UpdateStatus } from '../update/update-status.js';
import { SupportOn } from './support/support-on.js';
import { SupportStatus } from './support/support-status.js';
import { RecoveryStatus } from './recovery/recovery-status.js';
import { RecoveryRollbackRequest, RecoveryRollbackResult } from './recovery/recovery-rollback.js';
import { FactoryResetRequest, FactoryResetResult } from './recovery/factory-reset.js';
import { OWN_TRACKS_BODY_MAX_B, OwnTrackList, OwnTrackPushResult } from '../tracks/own-track-push.js';
import { LICENSE_FILE_MAX_B } from '../license/license-payload.js';
import { REVOCATION_LIST_FILE_MAX_B } from '../license/revocation-list.js';
import { LicenseStatus, RevocationListApplied } from '../license/license-status.js';
import { SignedLicenseFile, SignedRevocationListFile } from '../license/signed-file.js';
import { RegistrationRequest } from '../hub/registration-request.js';
import { UnitHubRegistration, UnitRegistrationAsk, UnitRegistrationDelivery } from '../hub/unit-hub-registration.js';

/** A signed update bundle (`pitwall bundle`), streamed as application/octet-stream. */
const BundleBytes = Type.Uint8Array({ description: 'a signed update bundle, application/octet-stream' });
/** The version prefix of every path of the device API. */
export const API_PREFIX = '/v1';

/** A session file's bytes (HTTP Range: 206 with the part asked for). */
const SessionBytes = Type.Uint8Array({ description: 'the .pws file, or the part of it asked for' });

/**
 * Every route of the unit's HTTP API, in one place: the unit registers its routes from this
 * table (path, method, validation and required access) and the companion calls through it.
 * No other file names a `/v1/` path. A new route is a new entry here (and its handler on the
 * unit); the contract test then runs it against the sim unit and every fake in the testbed.
 */
export const Routes = {
  info: route({ method: 'GET', path: '/v1/info', responses: { 200: DeviceInfo }, access: 'public', summary: 'who the unit is (discovery)' }),
  status: route({ method: 'GET', path: '/v1/status', responses: { 200: DeviceStatus }, access: 'read', summary: 'GNSS, recording, identity and storage now' }),
  live: route({
    method: 'GET',
    path: '/v1/live',
    query: LiveQuery,
    responses: { 200: Type.Union([LiveFix, LiveTiming, LiveLap]) },
    access: 'read',
    stream: 'sse',
    feature: 'live-timing',
    summary: 'live fixes, timing and laps as Server-Sent Events (fix, timing, lap)',
  }),

  pairingWindow: route({ method: 'GET', path: '/v1/pairing', responses: { 200: PairingWindow }, access: 'public', summary: 'whether network pairing is open' }),
  pair: route({
    method: 'POST',
    path: '/v1/pairing',
    body: NetworkPairRequest,
    responses: { 200: PairResult, 202: PairingPending },
    access: 'cert',
    summary: 'pair the client certificate over the network (202: a further owner waits for approval)',
  }),
  ownerRequests: route({ method: 'GET', path: '/v1/pairing/requests', responses: { 200: OwnerRequestList }, access: 'admin', summary: 'pending owner requests' }),
  approveOwnerRequest: route({
    method: 'POST',
    path: '/v1/pairing/requests/:id/approve',
    params: OwnerRequestIdParams,
    responses: { 200: Operator },
    access: 'admin',
    summary: 'approve a pending owner request',
  }),
  denyOwnerRequest: route({
    method: 'DELETE',
    path: '/v1/pairing/requests/:id',
    params: OwnerRequestIdParams,
    responses: { 200: OwnerRequest },
    access: 'admin',
    summary: 'deny a pending owner request',
  }),
  operators: route({ method: 'GET', path: '/v1/operators', responses: { 200: OperatorList }, access: 'admin', summary: 'the paired operators' }),
  revokeOperator: route({
    method: 'DELETE',
    path: '/v1/operators/:fingerprint',
    params: OperatorParams,
    responses: { 200: Operator },
    access: 'admin',
    summary: "revoke an operator's key (its connections are dropped)",
  }),
  audit: route({
    method: 'GET',
    path: '/v1/audit',
    query: AuditQuery,
    responses: { 200: AuditRecord },
    access: 'admin',
    stream: 'ndjson',
    summary: 'a page of the audit log, one record a line',
  }),
  challenge: route({
    method: 'POST',
    path: '/v1/identity/challenge',
    body: ChallengeRequest,
    responses: { 200: ChallengeResponse },
    access: 'read',
    summary: 'sign a fresh nonce with the unit key',
  }),

  health: route({ method: 'GET', path: '/v1/health', query: HealthQuery, responses: { 200: HealthList }, access: 'read', summary: 'health snapshots' }),
  crashes: route({ method: 'GET', path: '/v1/crashes', responses: { 200: CrashList }, access: 'read', summary: 'the crash dumps the unit holds' }),
  crash: route({ method: 'GET', path: '/v1/crashes/:id', params: CrashIdParams, responses: { 200: CrashDump }, access: 'read', summary: 'one crash dump' }),
  confirmCrashes: route({
    method: 'POST',
    path: '/v1/crashes/confirm',
    body: CrashConfirm,
    responses: { 200: CrashConfirmResult },
    access: 'control',
    summary: 'the companion stored these dumps; the unit may drop them',
  }),
  logBoots: route({ method: 'GET', path: '/v1/logs/boots', responses: { 200: LogBootList }, access: 'read', summary: 'the boots whose logs the unit holds' }),
  logs: route({
    method: 'GET',
    path: '/v1/logs',
    query: LogQuery,
    responses: { 200: LogRecord },
    access: 'read',
    stream: 'ndjson',
    summary: "a boot's log records after a seq, one a line (gzip when asked for)",
  }),
  confirmLogs: route({
    method: 'POST',
    path: '/v1/logs/confirm',
    body: LogConfirm,
    responses: { 200: LogConfirmResult },
    access: 'control',
    summary: "the companion stored a boot's records up to seq",
  }),

  sessions: route({ method: 'GET', path: '/v1/sessions', responses: { 200: SessionList }, access: 'read', summary: 'the recorded sessions' }),
  startSession: route({ method: 'POST', path: '/v1/sessions/start', responses: { 201: SessionMeta }, access: 'control', summary: 'start recording' }),
  stopSession: route({ method: 'POST', path: '/v1/sessions/stop', responses: { 200: SessionMeta }, access: 'control', summary: 'stop recording' }),
  sessionFile: route({
    method: 'GET',
    path: '/v1/sessions/:id',
    params: SessionIdParams,
    responses: { 200: SessionBytes, 206: SessionBytes },
    access: 'read',
    stream: 'bytes',
    summary: "a session's file (HTTP Range, If-Range on its sha256 ETag)",
  }),
  confirmSession: route({
    method: 'POST',
    path: '/v1/sessions/:id/confirm',
    params: SessionIdParams,
    body: SessionConfirm,
    responses: { 200: SessionMeta },
    access: 'control',
    summary: 'the companion holds the file (its sha256); the unit may delete it',
  }),
  deleteSession: route({
    method: 'DELETE',
    path: '/v1/sessions/:id',
    params: SessionIdParams,
    responses: { 204: Type.Null({ description: 'no body' }) },
    access: 'control',
    summary: 'delete a confirmed session',
  }),

  ownTracks: route({ method: 'GET', path: '/v1/tracks/own', responses: { 200: OwnTrackList }, access: 'read', summary: "the unit's own tracks" }),
  pushOwnTracks: route({
    method: 'PUT',
    path: '/v1/tracks/own',
    body: OwnTrackList,
    responses: { 200: OwnTrackPushResult },
    access: 'tracks',
    maxBodyB: OWN_TRACKS_BODY_MAX_B,
    summary: "replace the unit's own tracks (timed from its next start)",
  }),

  supportStatus: route({ method: 'GET', path: '/v1/support', responses: { 200: SupportStatus }, access: 'read', summary: 'whether support mode is on, until when, and its tunnel' }),
  supportOn: route({
    method: 'POST',
    path: '/v1/support/on',
    body: SupportOn,
    responses: { 200: SupportStatus },
    access: 'admin',
    feature: 'support-mode',
    summary: 'turn support mode on for a while (the owner only: support is opt-in)',
  }),
  supportOff: route({ method: 'POST', path: '/v1/support/off', responses: { 200: SupportStatus }, access: 'control', summary: 'turn support mode off (ending support is always safe)' }),

  // Wi-Fi provisioning: owner and dealer change it, staff read it, support gets nothing; the mode is the owner's.
  wifiStatus: route({ method: 'GET', path: '/v1/wifi/status', responses: { 200: WifiStatus }, access: 'wifi-read', summary: 'Wi-Fi mode (and why), network, signal, address, last connect time' }),
  wifiNetworks: route({ method: 'GET', path: '/v1/wifi/networks', query: WifiScanQuery, responses: { 200: WifiNetworkList }, access: 'wifi-read', summary: 'the networks the unit sees' }),
  wifiProfiles: route({ method: 'GET', path: '/v1/wifi/profiles', responses: { 200: WifiProfileList }, access: 'wifi-read', summary: 'the saved networks, highest priority first' }),
  addWifiProfile: route({ method: 'POST', path: '/v1/wifi/profiles', body: WifiAddRequest, responses: { 200: WifiProfile }, access: 'wifi', summary: 'save a network (its password goes to a 0600 file only)' }),
  removeWifiProfile: route({ method: 'DELETE', path: '/v1/wifi/profiles/:uuid', params: WifiProfileParams, responses: { 200: WifiRemoved }, access: 'wifi', summary: 'remove a saved network' }),
  wifiPriority: route({
    method: 'PUT',
    path: '/v1/wifi/profiles/:uuid/priority',
    params: WifiProfileParams,
    body: WifiPriorityRequest,
    responses: { 200: WifiProfileList },
    access: 'wifi',
    summary: "set a saved network's priority (-999..998; 999 is the support network's)",
  }),
  connectWifi: route({ method: 'POST', path: '/v1/wifi/profiles/:uuid/connect', params: WifiProfileParams, responses: { 200: WifiStatus }, access: 'wifi', summary: 'connect to a saved network now (measures the connect time)' }),
  wifiMode: route({ method: 'PUT', path: '/v1/wifi/mode', body: WifiModeRequest, responses: { 200: WifiStatus }, access: 'admin', summary: "switch hotspot/client now, whatever the latch said at boot (the owner's command)" }),
  update: route({ method: 'GET', path: '/v1/update', responses: { 200: UpdateStatus }, access: 'read', summary: "the update's operation, progress, last error and both slots" }),
  pushUpdate: route({
    method: 'POST',
    path: '/v1/update',
    body: BundleBytes,
    responses: { 200: UpdateStatus },
    access: 'update',
    upload: 'bytes',
    summary: 'install a signed bundle into the inactive slot, verified while it streams in (200 once installed; the unit then reboots into it); 409 while another update runs',
  }),

  // Licensing: never gated by a feature itself (a unit must always take a new licence or list).
  license: route({ method: 'GET', path: '/v1/license', responses: { 200: LicenseStatus }, access: 'read', summary: 'the licence as the unit judges it now: state and reason, features, dates, trusted clock' }),
  licenseInstall: route({
    method: 'PUT',
    path: '/v1/license',
    body: SignedLicenseFile,
    responses: { 200: LicenseStatus },
    access: 'license',
    maxBodyB: LICENSE_FILE_MAX_B,
    summary: 'install a signed licence file (owner or dealer); a refused file leaves the held licence as it was',
  }),
  licenseRevocations: route({
    method: 'PUT',
    path: '/v1/license/revocations',
    body: SignedRevocationListFile,
    responses: { 200: RevocationListApplied },
    access: 'license',
    maxBodyB: REVOCATION_LIST_FILE_MAX_B,
    summary: 'apply a signed licence revocation list numbered higher than the one held (409: older or the same)',
  }),

  // Registration with a hub (docs/hub.md): the unit signs, the companion carries.
  hubRegistration: route({
    method: 'GET',
    path: '/v1/hub/registration',
    responses: { 200: UnitHubRegistration },
    access: 'read',
    summary: "the hubs' signed registration records the unit holds, the hubs it awaits one from, its birth certificate",
  }),
  hubRegistrationRequest: route({
    method: 'POST',
    path: '/v1/hub/registration-request',
    body: UnitRegistrationAsk,
    responses: { 200: RegistrationRequest },
    access: 'hub',
    summary: "sign a registration request for a hub's challenge with the unit's identity key",
  }),
  hubRegistrationStore: route({
    method: 'PUT',
    path: '/v1/hub/registration',
    body: UnitRegistrationDelivery,
    responses: { 200: UnitHubRegistration },
    access: 'hub',
    summary: "keep a hub's signed record of this unit (refused unless signed by a hub the unit signed for, naming this unit and its key)",
  }),

  // Served only in recovery mode (the recovery button held at boot), never by the normal runtime.
  recovery: route({ method: 'GET', path: '/v1/recovery', responses: { 200: RecoveryStatus }, access: 'recovery', summary: 'recovery mode: the boot record and both slots' }),
  recoveryRollback: route({
    method: 'POST',
    path: '/v1/recovery/rollback',
    body: RecoveryRollbackRequest,
    responses: { 200: RecoveryRollbackResult },
    access: 'recovery',
    summary: 'recovery mode: boot the other slot (a complete runtime) from now on',
  }),
  recoveryInstall: route({
    method: 'POST',
    path: '/v1/recovery/install',
    body: BundleBytes,
    responses: { 200: UpdateStatus },
    access: 'recovery',
    upload: 'bytes',
    summary: 'recovery mode: install a signed bundle into the slot that is not last good (verified as it streams in); the next normal boot tries it',
  }),
  factoryReset: route({
    method: 'POST',
    path: '/v1/recovery/factory-reset',
    body: FactoryResetRequest,
    responses: { 200: FactoryResetResult },
    access: 'recovery',
    summary: "recovery mode: wipe sessions, logs, Wi-Fi profiles and operators; keep the unit's identity",
  }),
} as const satisfies Record<string, AnyRoute>;

export type RouteKey = keyof typeof Routes;

/** Paths that answer any method they do not serve with 405 and an Allow header (the others: 404). */
export const METHOD_CHECKED_PATHS: readonly string[] = [Routes.info.path, Routes.status.path, Routes.live.path];

/** The table as a list, in declaration order. */
export const ROUTE_LIST: readonly AnyRoute[] = Object.values(Routes);
