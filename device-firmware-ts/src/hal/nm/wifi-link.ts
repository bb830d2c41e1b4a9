import type { Nmcli } from './nmcli-runner.js';
import { splitTerse, terseRecords } from './terse.js';

export interface WifiLink {
  /** nmcli's device state: connected, disconnected, unavailable, connecting (...). */
  state: string;
  connection: string | null;
  /** The first IPv4 address with its prefix, e.g. 192.168.1.20/24. */
  address: string | null;
}

export interface NmGeneral {
  running: boolean;
  wifiEnabled: boolean;
}

/** The Wi-Fi device's state and address. */
export async function readLink(nmcli: Nmcli, ifname: string): Promise<WifiLink> {
  const status = await nmcli(['-t', '-f', 'DEVICE,TYPE,STATE,CONNECTION', 'device', 'status'], 'reading the Wi-Fi state');
  const row = terseRecords(status.stdout, 4).find((r) => r[0] === ifname);
  if (!row) return { state: 'missing', connection: null, address: null };
  const state = row[2]!;
  if (state !== 'connected') return { state, connection: row[3] || null, address: null };
  const ip = await nmcli(['-g', 'IP4.ADDRESS', 'device', 'show', ifname], 'reading the address');
  // -g joins several values with " | " and escapes ':' like terse output.
  const first = splitTerse(ip.stdout.split('\n')[0] ?? '')[0]!.split(' | ')[0]!.trim();
  return { state, connection: row[3] || null, address: /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(first) ? first : null };
}

/** Whether NetworkManager runs and the Wi-Fi radio is on. */
export async function readGeneral(nmcli: Nmcli): Promise<NmGeneral> {
  const { stdout } = await nmcli(['-t', '-f', 'RUNNING,VERSION,STATE,STARTUP,CONNECTIVITY,NETWORKING,WIFI-HW,WIFI', 'general'], 'reading NetworkManager');
  const f = splitTerse(stdout.split('\n')[0] ?? '');
  return { running: f[0] === 'running', wifiEnabled: f[7] === 'enabled' };
}
