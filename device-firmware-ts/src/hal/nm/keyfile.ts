/**
 * NetworkManager keyfiles (nm-settings-keyfile(5)) for the unit's own profiles: the secret goes
 * into a 0600 file that `nmcli connection load` reads, never into nmcli's argv.
 */
import type { WifiSecurity } from '@pitwall/protocol';

export interface KeyfileProfile {
  uuid: string;
  name: string;
  ifname: string;
  ssid: Uint8Array;
  security: WifiSecurity;
  psk: string | null;
  hidden: boolean;
  priority: number;
  autoconnect: boolean;
  mode: 'infrastructure' | 'ap';
}

/** GKeyFile string escaping: backslash first, then every space (`\s`), so edge spaces survive. */
export function keyfileString(v: string): string {
  if (/\p{Cc}/u.test(v)) throw new Error('a keyfile value cannot hold control characters');
  return v.replace(/\\/g, '\\\\').replace(/ /g, '\\s');
}

/** A WPA passphrase NetworkManager accepts: 8-63 printable ASCII characters, or 64 hex digits (the raw key). */
export function validPsk(psk: string): boolean {
  return /^[\x20-\x7e]{8,63}$/.test(psk) || /^[0-9A-Fa-f]{64}$/.test(psk);
}

export function keyfileText(p: KeyfileProfile): string {
  const lines = [
    '[connection]',
    `id=${keyfileString(p.name)}`,
    `uuid=${p.uuid}`,
    'type=wifi',
    `interface-name=${keyfileString(p.ifname)}`,
    `autoconnect=${p.autoconnect}`,
    `autoconnect-priority=${p.priority}`,
    '',
    '[wifi]',
    `mode=${p.mode}`,
    // A byte list keeps any SSID exact (non-UTF-8, spaces, ';').
    `ssid=${[...p.ssid].join(';')};`,
    `hidden=${p.hidden}`,
    // 2 = disable: power save costs seconds of latency on every packet burst.
    'powersave=2',
    ...(p.mode === 'ap' ? ['band=bg'] : []),
  ];
  if (p.security !== 'open') {
    if (p.psk === null || !validPsk(p.psk)) throw new Error('a WPA profile needs a valid passphrase');
    lines.push('', '[wifi-security]', `key-mgmt=${p.security === 'wpa3-personal' ? 'sae' : 'wpa-psk'}`, 'psk-flags=0', `psk=${keyfileString(p.psk)}`);
    if (p.mode === 'ap') lines.push('proto=rsn;', 'pairwise=ccmp;', 'group=ccmp;');
  }
  lines.push('', '[ipv4]', `method=${p.mode === 'ap' ? 'shared' : 'auto'}`, '', '[ipv6]', `method=${p.mode === 'ap' ? 'ignore' : 'auto'}`, '');
  return lines.join('\n');
}
