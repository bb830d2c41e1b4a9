import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { WifiAddRequest, WIFI_CLIENT_PRIORITY_MAX, WIFI_PRIORITY_MIN } from '../device-api/wifi.js';

/**
 * Wi-Fi setup over the USB serial port (`wifi.*` methods), modelled on Improv Wi-Fi: identify
 * (`hello`), send credentials (`wifi.add` then `wifi.connect`), read the state and the unit's
 * address (`wifi.status`). A call is allowed to a paired operator (owner or dealer; staff may
 * only read) who signs a fresh nonce from `wifi.nonce`, or to anyone during the first-setup
 * window of a unit without an owner.
 */
export const WifiSerialAuth = Type.Object(
  {
    /** The operator's certificate, as paired (PEM). */
    certificate: Type.String({ minLength: 1, maxLength: 8192 }),
    nonce: Type.String({ pattern: '^[0-9a-f]{32}$' }),
    /** Base64 Ed25519 signature over wifiSerialMessage(unitId, nonce, method). */
    signature: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type WifiSerialAuth = Static<typeof WifiSerialAuth>;

/** What an operator signs for one serial Wi-Fi call: the unit, the single-use nonce and the method. */
export const wifiSerialMessage = (unitId: string, nonce: string, method: string) => `pitwall-wifi-usb\n${unitId}\n${nonce}\n${method}`;

const Auth = Type.Optional(WifiSerialAuth);
const Uuid = Type.String({ maxLength: 36 });
const params = <T extends Parameters<typeof Type.Object>[0]>(name: string, props: T) => {
  const schema = Type.Object({ auth: Auth, ...props }, { additionalProperties: false });
  return { schema, v: validator(name, schema) };
};

export const wifiSerialReadParams = params('WifiSerialReadParams', { rescan: Type.Optional(Type.Boolean()) }).v;
export const wifiSerialAddParams = params('WifiSerialAddParams', { network: WifiAddRequest }).v;
export const wifiSerialProfileParams = params('WifiSerialProfileParams', { uuid: Uuid }).v;
export const wifiSerialPriorityParams = params('WifiSerialPriorityParams', { uuid: Uuid, priority: Type.Integer({ minimum: WIFI_PRIORITY_MIN, maximum: WIFI_CLIENT_PRIORITY_MAX }) }).v;

export const WifiNonce = Type.Object({ nonce: Type.String(), expiresInS: Type.Number() }, { additionalProperties: false });
export type WifiNonce = Static<typeof WifiNonce>;
