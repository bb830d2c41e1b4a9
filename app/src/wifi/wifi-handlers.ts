import { Routes, type CompanionHandlers } from '@pitwall/protocol';
import type { UnitChannels } from '../trust/unit-channel.js';

type WifiHandlers = Pick<CompanionHandlers, 'wifi:status' | 'wifi:scan' | 'wifi:list' | 'wifi:add' | 'wifi:remove' | 'wifi:priority' | 'wifi:connect'>;

/** nmcli calls on the unit take seconds; a connect waits for an address. */
const TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 90_000;
const slow = { timeoutMs: TIMEOUT_MS };

/** `wifi:*`: a paired unit's Wi-Fi through its HTTPS API (the unit checks the role). */
export function wifiHandlers(channels: UnitChannels): WifiHandlers {
  return {
    'wifi:status': ({ unitId }) => channels.callRoute(unitId, Routes.wifiStatus, {}, slow),
    'wifi:scan': ({ unitId, rescan }) => channels.callRoute(unitId, Routes.wifiNetworks, { query: { rescan: rescan === false ? 'no' : 'yes' } }, slow),
    'wifi:list': ({ unitId }) => channels.callRoute(unitId, Routes.wifiProfiles, {}, slow),
    'wifi:add': ({ unitId, network }) => channels.callRoute(unitId, Routes.addWifiProfile, { body: network }, slow),
    'wifi:remove': ({ unitId, uuid }) => channels.callRoute(unitId, Routes.removeWifiProfile, { params: { uuid } }, slow),
    'wifi:priority': ({ unitId, uuid, priority }) => channels.callRoute(unitId, Routes.wifiPriority, { params: { uuid }, body: { priority } }, slow),
    'wifi:connect': ({ unitId, uuid }) => channels.callRoute(unitId, Routes.connectWifi, { params: { uuid } }, { timeoutMs: CONNECT_TIMEOUT_MS }),
  };
}
