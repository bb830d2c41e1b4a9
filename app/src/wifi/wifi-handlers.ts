import { Type } from '@sinclair/typebox';
import { validator, wifiNetworkList, wifiProfileList, wifiStatus, WifiProfile as WifiProfileSchema, type CompanionHandlers, type WifiProfile } from '@pitwall/protocol';
import type { UnitChannels } from '../trust/unit-channel.js';

type WifiHandlers = Pick<CompanionHandlers, 'wifi:status' | 'wifi:scan' | 'wifi:list' | 'wifi:add' | 'wifi:remove' | 'wifi:priority' | 'wifi:connect'>;

const wifiProfile = validator('WifiProfile', WifiProfileSchema);
const removed = validator('WifiRemoved', Type.Object({ removed: Type.String() }, { additionalProperties: false }));
/** nmcli calls on the unit take seconds; a connect waits for an address. */
const TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 90_000;

/** `wifi:*`: a paired unit's Wi-Fi through its HTTPS API (the unit checks the role). */
export function wifiHandlers(channels: UnitChannels): WifiHandlers {
  return {
    'wifi:status': ({ unitId }) => channels.call(unitId, { method: 'GET', path: '/v1/wifi/status', timeoutMs: TIMEOUT_MS }, wifiStatus),
    'wifi:scan': ({ unitId, rescan }) => channels.call(unitId, { method: 'GET', path: `/v1/wifi/networks?rescan=${rescan === false ? 'no' : 'yes'}`, timeoutMs: TIMEOUT_MS }, wifiNetworkList),
    'wifi:list': ({ unitId }) => channels.call(unitId, { method: 'GET', path: '/v1/wifi/profiles', timeoutMs: TIMEOUT_MS }, wifiProfileList),
    'wifi:add': ({ unitId, network }): Promise<WifiProfile> => channels.call(unitId, { method: 'POST', path: '/v1/wifi/profiles', body: network, timeoutMs: TIMEOUT_MS }, wifiProfile),
    'wifi:remove': ({ unitId, uuid }) => channels.call(unitId, { method: 'DELETE', path: `/v1/wifi/profiles/${uuid}`, timeoutMs: TIMEOUT_MS }, removed),
    'wifi:priority': ({ unitId, uuid, priority }) => channels.call(unitId, { method: 'PUT', path: `/v1/wifi/profiles/${uuid}/priority`, body: { priority }, timeoutMs: TIMEOUT_MS }, wifiProfileList),
    'wifi:connect': ({ unitId, uuid }) => channels.call(unitId, { method: 'POST', path: `/v1/wifi/profiles/${uuid}/connect`, timeoutMs: CONNECT_TIMEOUT_MS }, wifiStatus),
  };
}
