import { Type } from '@sinclair/typebox';
import { validator } from '../validate.js';
import { SerialOperatorAuth, SerialNonce, serialCallMessage } from './operator-auth.js';
import { WifiAddRequest, WIFI_CLIENT_PRIORITY_MAX, WIFI_PRIORITY_MIN } from '../device-api/wifi.js';

/**
 * Wi-Fi setup over the USB serial port (`wifi.*` methods), modelled on Improv Wi-Fi: identify
 * (`hello`), send credentials (`wifi.add` then `wifi.connect`), read the state and the unit's
 * address (`wifi.status`). A call is allowed to a paired operator (owner or dealer; staff may
 * only read) who signs a fresh nonce from `wifi.nonce`, or to anyone during the first-setup
 * window of a unit without an owner.
 */
export const WifiSerialAuth = SerialOperatorAuth;
export type WifiSerialAuth = SerialOperatorAuth;

/** What an operator signs for one serial Wi-Fi call: the unit, the single-use nonce and the method. */
export const wifiSerialMessage = (unitId: string, nonce: string, method: string) => serialCallMessage('wifi', unitId, nonce, method);

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

export const WifiNonce = SerialNonce;
export type WifiNonce = SerialNonce;
