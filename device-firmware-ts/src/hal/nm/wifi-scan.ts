import type { WifiNetwork } from '@pitwall/protocol';
import type { Nmcli } from './nmcli-runner.js';
import { NmError } from './nmcli-error.js';
import { hexToBytes, ssidText, terseRecords } from './terse.js';

/**
 * The fields asked of `device wifi list`. SSID comes first only to be skipped: SSID-HEX is the
 * lossless one (non-UTF-8 bytes, newlines, NUL), and asking for both keeps the record count
 * checkable (a raw newline in SSID splits a line, and terseRecords joins it back).
 */
export const SCAN_FIELDS = ['SSID', 'SSID-HEX', 'BSSID', 'IN-USE', 'SIGNAL', 'SECURITY', 'CHAN', 'FREQ', 'MODE'] as const;

export function scanArgs(ifname: string): string[] {
  return ['-t', '-f', SCAN_FIELDS.join(','), 'device', 'wifi', 'list', 'ifname', ifname, '--rescan', 'no'];
}

function bandOf(freqMhz: number | null): WifiNetwork['band'] {
  if (freqMhz === null) return null;
  if (freqMhz >= 2400 && freqMhz < 2500) return '2.4 GHz';
  if (freqMhz >= 4900 && freqMhz < 5900) return '5 GHz';
  if (freqMhz >= 5925 && freqMhz < 7200) return '6 GHz';
  return null;
}

const intOrNull = (s: string) => (/^\d+$/.test(s) ? Number(s) : null);

/** Parses the terse listing of scanArgs; records that do not parse are dropped, not guessed. */
export function parseScan(stdout: string): WifiNetwork[] {
  const out: WifiNetwork[] = [];
  for (const [, hex, bssid, inUse, signal, security, chan, freq, mode] of terseRecords(stdout, SCAN_FIELDS.length)) {
    const bytes = hexToBytes(hex!);
    if (!bytes || !/^\d{1,3}$/.test(signal!) || mode === 'Ad-Hoc') continue;
    const freqMhz = intOrNull(freq!.replace(/\s*MHz$/, ''));
    out.push({
      ssidHex: hex!.toUpperCase(),
      ssid: bytes.length === 0 ? null : ssidText(bytes),
      hidden: bytes.length === 0,
      bssid: bssid!,
      signal: Math.min(100, Number(signal)),
      security: security!.split(' ').filter((w) => w !== ''),
      channel: intOrNull(chan!),
      freqMhz,
      band: bandOf(freqMhz),
      inUse: inUse === '*',
    });
  }
  return out;
}

/**
 * Asks for a fresh scan, then reads the list. A refused rescan (busy, scanned a moment ago, the
 * radio still starting) is soft: the cached list is still worth showing.
 */
export async function scanNetworks(nmcli: Nmcli, ifname: string, rescan: boolean): Promise<WifiNetwork[]> {
  if (rescan) {
    try {
      await nmcli(['device', 'wifi', 'rescan', 'ifname', ifname], 'scanning for networks');
    } catch (err) {
      if (!(err instanceof NmError) || err.exitCode !== 1) throw err;
    }
  }
  const { stdout } = await nmcli(scanArgs(ifname), 'listing networks');
  return parseScan(stdout);
}
