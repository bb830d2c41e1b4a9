import { Type } from '@sinclair/typebox';
import { UnitId } from '../device-api/unit-id.js';
import { WIFI_CLIENT_PRIORITY_MAX, WIFI_PRIORITY_MIN, WifiAddRequest, WifiNetworkList, WifiProfile, WifiProfileList, WifiStatus } from '../device-api/wifi.js';

/** A paired unit's Wi-Fi in the UI contract (`wifi:*`), over its HTTPS API. No result holds a password. */
const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });

export const wifiMethods = {
  'wifi:status': { params: Type.Object({ unitId: UnitId }, { additionalProperties: false }), result: WifiStatus },
  'wifi:scan': { params: Type.Object({ unitId: UnitId, rescan: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), result: WifiNetworkList },
  'wifi:list': { params: Type.Object({ unitId: UnitId }, { additionalProperties: false }), result: WifiProfileList },
  /** Saves a network on the unit (owner or dealer); the password goes to the unit only. */
  'wifi:add': { params: Type.Object({ unitId: UnitId, network: WifiAddRequest }, { additionalProperties: false }), result: WifiProfile },
  'wifi:remove': { params: Type.Object({ unitId: UnitId, uuid: Uuid }, { additionalProperties: false }), result: Type.Object({ removed: Type.String() }, { additionalProperties: false }) },
  'wifi:priority': {
    params: Type.Object({ unitId: UnitId, uuid: Uuid, priority: Type.Integer({ minimum: WIFI_PRIORITY_MIN, maximum: WIFI_CLIENT_PRIORITY_MAX }) }, { additionalProperties: false }),
    result: WifiProfileList,
  },
  'wifi:connect': { params: Type.Object({ unitId: UnitId, uuid: Uuid }, { additionalProperties: false }), result: WifiStatus },
} as const;
