import { Routes, routePath, wifiNetworkList, wifiProfile, wifiProfileList, wifiRemoved, wifiStatus, type CompanionHandlers, type WifiProfile } from '@pitwall/protocol';
import type { UnitChannels } from '../trust/unit-channel.js';

type WifiHandlers = Pick<CompanionHandlers, 'wifi:status' | 'wifi:scan' | 'wifi:list' | 'wifi:add' | 'wifi:remove' | 'wifi:priority' | 'wifi:connect'>;

/** nmcli calls on the unit take seconds; a connect waits for an address. */
const TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 90_000;

/** `wifi:*`: a paired unit's Wi-Fi through its HTTPS API (the unit checks the role). */
export function wifiHandlers(channels: UnitChannels): WifiHandlers {
  return {
    'wifi:status': ({ unitId }) => channels.call(unitId, { method: 'GET', path: routePath(Routes.wifiStatus), timeoutMs: TIMEOUT_MS }, wifiStatus),
    'wifi:scan': ({ unitId, rescan }) => channels.call(unitId, { method: 'GET', path: routePath(Routes.wifiNetworks, { query: { rescan: rescan === false ? 'no' : 'yes' } }), timeoutMs: TIMEOUT_MS }, wifiNetworkList),
    'wifi:list': ({ unitId }) => channels.call(unitId, { method: 'GET', path: routePath(Routes.wifiProfiles), timeoutMs: TIMEOUT_MS }, wifiProfileList),
    'wifi:add': ({ unitId, network }): Promise<WifiProfile> => channels.call(unitId, { method: 'POST', path: routePath(Routes.addWifiProfile), body: network, timeoutMs: TIMEOUT_MS }, wifiProfile),
    'wifi:remove': ({ unitId, uuid }) => channels.call(unitId, { method: 'DELETE', path: routePath(Routes.removeWifiProfile, { params: { uuid } }), timeoutMs: TIMEOUT_MS }, wifiRemoved),
    'wifi:priority': ({ unitId, uuid, priority }) => channels.call(unitId, { method: 'PUT', path: routePath(Routes.wifiPriority, { params: { uuid } }), body: { priority }, timeoutMs: TIMEOUT_MS }, wifiProfileList),
    'wifi:connect': ({ unitId, uuid }) => channels.call(unitId, { method: 'POST', path: routePath(Routes.connectWifi, { params: { uuid } }), timeoutMs: CONNECT_TIMEOUT_MS }, wifiStatus),
  };
}
