import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';

/**
 * The unit's Wi-Fi provisioning (HTTP `/v1/wifi/...` and the serial `wifi.*` methods). An SSID
 * is up to 32 arbitrary bytes: `ssidHex` is the lossless form, `ssid` the text when the bytes are
 * UTF-8 without control characters (else null). No answer ever carries a password.
 */
const SsidHex = Type.String({ pattern: '^([0-9A-F]{2}){0,32}$', description: 'the SSID bytes, upper-case hex' });
const SsidText = Type.Union([Type.String(), Type.Null()]);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const WIFI_PRIORITY_MIN = -999;
/** 999 is the support network's alone: it always comes first (fast connect when support needs the unit). */
export const WIFI_SUPPORT_PRIORITY = 999;
export const WIFI_CLIENT_PRIORITY_MAX = 998;

export const WifiSecurity = Type.Union([Type.Literal('open'), Type.Literal('wpa2-personal'), Type.Literal('wpa3-personal')]);
export type WifiSecurity = Static<typeof WifiSecurity>;

export const WifiNetwork = Type.Object(
  {
    ssidHex: SsidHex,
    ssid: SsidText,
    hidden: Type.Boolean(),
    bssid: Type.String(),
    signal: Type.Integer({ minimum: 0, maximum: 100 }),
    /** nmcli's words: WPA2, WPA3, WEP, OWE, 802.1X...; empty for an open network. */
    security: Type.Array(Type.String()),
    channel: Nullable(Type.Integer()),
    freqMhz: Nullable(Type.Integer()),
    band: Nullable(Type.Union([Type.Literal('2.4 GHz'), Type.Literal('5 GHz'), Type.Literal('6 GHz')])),
    inUse: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type WifiNetwork = Static<typeof WifiNetwork>;

export const WifiNetworkList = Type.Object({ networks: Type.Array(WifiNetwork) }, { additionalProperties: false });
export type WifiNetworkList = Static<typeof WifiNetworkList>;
export const wifiNetworkList = validator('WifiNetworkList', WifiNetworkList);

export const WifiProfileKind = Type.Union([Type.Literal('client'), Type.Literal('support'), Type.Literal('hotspot'), Type.Literal('other')]);
export type WifiProfileKind = Static<typeof WifiProfileKind>;

export const WifiProfile = Type.Object(
  {
    uuid: Type.String(),
    name: Type.String(),
    kind: WifiProfileKind,
    priority: Type.Integer({ minimum: -999, maximum: 999 }),
    autoconnect: Type.Boolean(),
    active: Type.Boolean(),
    /** nmcli's activation state (activated, activating, ...), empty when inactive. */
    state: Type.String(),
  },
  { additionalProperties: false },
);
export type WifiProfile = Static<typeof WifiProfile>;

export const WifiProfileList = Type.Object({ profiles: Type.Array(WifiProfile) }, { additionalProperties: false });
export type WifiProfileList = Static<typeof WifiProfileList>;
export const wifiProfileList = validator('WifiProfileList', WifiProfileList);

/** A network to save: `ssid` (text) or `ssidHex` (any bytes), never both. */
export const WifiAddRequest = Type.Object(
  {
    ssid: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    ssidHex: Type.Optional(Type.String({ pattern: '^([0-9A-Fa-f]{2}){1,32}$' })),
    security: WifiSecurity,
    /** WPA2/WPA3-Personal: 8-63 printable ASCII characters or 64 hex digits. Never echoed. */
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    hidden: Type.Optional(Type.Boolean()),
    priority: Type.Optional(Type.Integer({ minimum: WIFI_PRIORITY_MIN, maximum: WIFI_CLIENT_PRIORITY_MAX })),
    /** `support`: the support staff's network, always tried first (priority 999). */
    kind: Type.Optional(Type.Union([Type.Literal('client'), Type.Literal('support')])),
  },
  { additionalProperties: false },
);
export type WifiAddRequest = Static<typeof WifiAddRequest>;
export const wifiAddRequest = validator('WifiAddRequest', WifiAddRequest);

export const WifiPriorityRequest = Type.Object(
  { priority: Type.Integer({ minimum: WIFI_PRIORITY_MIN, maximum: WIFI_CLIENT_PRIORITY_MAX }) },
  { additionalProperties: false },
);
export type WifiPriorityRequest = Static<typeof WifiPriorityRequest>;
export const wifiPriorityRequest = validator('WifiPriorityRequest', WifiPriorityRequest);

export const WifiMode = Type.Union([Type.Literal('client'), Type.Literal('hotspot')]);
export type WifiMode = Static<typeof WifiMode>;

export const WifiStatus = Type.Object(
  {
    mode: WifiMode,
    /** Why this mode: the latch as read at boot, or an owner's command since. */
    reason: Type.String(),
    /** The hotspot latch at boot and now (null: the board has no latch); a change waits for a reboot or an owner's command. */
    latch: Type.Object({ atBoot: Nullable(WifiMode), now: Nullable(WifiMode) }, { additionalProperties: false }),
    connected: Type.Boolean(),
    ssid: SsidText,
    ssidHex: Nullable(SsidHex),
    signal: Nullable(Type.Integer({ minimum: 0, maximum: 100 })),
    /** The unit's address on that network, CIDR (e.g. 192.168.1.20/24). */
    address: Nullable(Type.String()),
    /** How long the last connect took, from the command to an address. */
    connectTimeMs: Nullable(Type.Integer({ minimum: 0 })),
    lastError: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type WifiStatus = Static<typeof WifiStatus>;
export const wifiStatus = validator('WifiStatus', WifiStatus);

export const WifiModeRequest = Type.Object({ mode: WifiMode }, { additionalProperties: false });
export type WifiModeRequest = Static<typeof WifiModeRequest>;
export const wifiModeRequest = validator('WifiModeRequest', WifiModeRequest);

/** `?rescan=yes` asks the radio for a fresh scan first (a few seconds); otherwise the last scan's list. */
export const WifiScanQuery = Type.Object({ rescan: Type.Optional(Type.Union([Type.Literal('yes'), Type.Literal('no')])) }, { additionalProperties: false });
export const WifiProfileParams = Type.Object({ uuid: Type.String({ maxLength: 36 }) }, { additionalProperties: false });
export const WifiRemoved = Type.Object({ removed: Type.String() }, { additionalProperties: false });
export const wifiRemoved = validator('WifiRemoved', WifiRemoved);
export const wifiProfile = validator('WifiProfile', WifiProfile);
