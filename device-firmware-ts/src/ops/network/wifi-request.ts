import { WIFI_SUPPORT_PRIORITY, type WifiAddRequest } from '@pitwall/protocol';
import { validPsk, type NewProfile } from '../../hal/nm/index.js';
import { ssidText } from '../../hal/nm/terse.js';

/** A refused Wi-Fi request: an HTTP status, a stable code and one sentence (never a secret). */
export class WifiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WifiError';
  }
}

const bad = (message: string) => new WifiError(400, 'bad-wifi-request', `${message}; nothing was changed`);

/**
 * Checks what the schema cannot (SSID bytes, password rules, kind and priority together) and
 * turns an add request into a profile. Messages never quote the password.
 */
export function profileFromRequest(req: WifiAddRequest): NewProfile {
  if ((req.ssid === undefined) === (req.ssidHex === undefined)) throw bad('give the network name as ssid (text) or ssidHex (bytes), exactly one of them');
  let ssid: Uint8Array;
  if (req.ssid !== undefined) {
    if (/\p{Cc}/u.test(req.ssid)) throw bad('the network name holds control characters; send it as ssidHex');
    ssid = new TextEncoder().encode(req.ssid);
  } else {
    ssid = Uint8Array.from(Buffer.from(req.ssidHex!, 'hex'));
  }
  if (ssid.length < 1 || ssid.length > 32) throw bad(`a network name is 1 to 32 bytes, this one is ${ssid.length}`);
  if (req.security === 'open' && req.password !== undefined) throw bad('an open network takes no password');
  if (req.security !== 'open') {
    if (req.password === undefined) throw bad(`a ${req.security === 'wpa3-personal' ? 'WPA3' : 'WPA2'}-Personal network needs its password`);
    if (!validPsk(req.password)) throw bad('the password must be 8 to 63 printable ASCII characters, or 64 hex digits');
  }
  const kind = req.kind ?? 'client';
  if (kind === 'support' && req.priority !== undefined) throw bad(`the support network always has priority ${WIFI_SUPPORT_PRIORITY}; leave priority out`);
  const text = ssidText(ssid);
  return {
    ssid,
    label: text ?? `hex ${Buffer.from(ssid).toString('hex').toUpperCase()}`,
    kind,
    security: req.security,
    psk: req.password ?? null,
    hidden: req.hidden ?? false,
    priority: kind === 'support' ? WIFI_SUPPORT_PRIORITY : (req.priority ?? 0),
  };
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
