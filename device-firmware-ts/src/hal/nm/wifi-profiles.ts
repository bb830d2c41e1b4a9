import { randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { WifiProfile, WifiProfileKind, WifiSecurity } from '@pitwall/protocol';
import { writeFileAtomic } from '@pitwall/protocol/node';
import type { Nmcli } from './nmcli-runner.js';
import type { KeyfileHandOver } from './keyfile-handover.js';
import { keyfileText } from './keyfile.js';
import { terseRecords } from './terse.js';

/** Names of the profiles the unit makes: the kind is read back from them. */
export const HOTSPOT_NAME = 'Pitwall hotspot';
const SUPPORT_PREFIX = 'Pitwall support: ';
const CLIENT_PREFIX = 'Pitwall: ';

const LIST_FIELDS = ['NAME', 'UUID', 'TYPE', 'DEVICE', 'AUTOCONNECT', 'AUTOCONNECT-PRIORITY', 'ACTIVE', 'STATE'];

export function kindOf(name: string): WifiProfileKind {
  if (name === HOTSPOT_NAME) return 'hotspot';
  if (name.startsWith(SUPPORT_PREFIX)) return 'support';
  if (name.startsWith(CLIENT_PREFIX)) return 'client';
  return 'other';
}

export function parseProfiles(stdout: string): WifiProfile[] {
  return terseRecords(stdout, LIST_FIELDS.length)
    .filter((r) => r[2] === '802-11-wireless' && /^-?\d{1,3}$/.test(r[5]!))
    .map(([name, uuid, , , autoconnect, priority, active, state]) => ({
      uuid: uuid!,
      name: name!,
      kind: kindOf(name!),
      priority: Number(priority),
      autoconnect: autoconnect === 'yes',
      active: active === 'yes',
      state: state!,
    }))
    .sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
}

export interface NewProfile {
  ssid: Uint8Array;
  /** How the name shows the SSID (its text, or its hex when not printable). */
  label: string;
  kind: 'client' | 'support' | 'hotspot';
  security: WifiSecurity;
  psk: string | null;
  hidden: boolean;
  priority: number;
}

export interface ProfileStore {
  list(): Promise<WifiProfile[]>;
  /** Writes the 0600 keyfile and hands it to NetworkManager (keyfile-handover.ts). */
  add(p: NewProfile, uuid?: string): Promise<WifiProfile>;
  remove(uuid: string): Promise<void>;
  setPriority(uuid: string, priority: number): Promise<void>;
  up(uuid: string, timeoutMs: number): Promise<void>;
  down(uuid: string): Promise<void>;
}

export function profileStore(nmcli: Nmcli, ifname: string, handOver: KeyfileHandOver): ProfileStore {
  const list = async () => parseProfiles((await nmcli(['-t', '-f', LIST_FIELDS.join(','), 'connection', 'show'], 'listing saved networks')).stdout);
  return {
    list,
    async add(p, uuid = randomUUID()) {
      const name = p.kind === 'hotspot' ? HOTSPOT_NAME : `${p.kind === 'support' ? SUPPORT_PREFIX : CLIENT_PREFIX}${p.label}`;
      const text = keyfileText({ uuid, name, ifname, ssid: p.ssid, security: p.security, psk: p.psk, hidden: p.hidden, priority: p.priority, autoconnect: p.kind !== 'hotspot', mode: p.kind === 'hotspot' ? 'ap' : 'infrastructure' });
      const file = join(handOver.dir, `pitwall-${uuid}.nmconnection`);
      await writeFileAtomic(file, text, 0o600);
      try {
        await handOver.load(file, uuid, 'saving the network');
      } catch (err) {
        await unlink(file).catch(() => undefined);
        throw err;
      }
      const saved = (await list()).find((x) => x.uuid === uuid);
      return saved ?? { uuid, name, kind: p.kind, priority: p.priority, autoconnect: p.kind !== 'hotspot', active: false, state: '' };
    },
    async remove(uuid) {
      await nmcli(['connection', 'delete', 'uuid', uuid], 'removing the saved network');
    },
    async setPriority(uuid, priority) {
      await nmcli(['connection', 'modify', 'uuid', uuid, 'connection.autoconnect-priority', String(priority), '802-11-wireless.powersave', '2'], 'changing the priority');
    },
    async up(uuid, timeoutMs) {
      await nmcli(['connection', 'up', 'uuid', uuid, 'ifname', ifname], 'connecting', timeoutMs);
    },
    async down(uuid) {
      await nmcli(['connection', 'down', 'uuid', uuid], 'disconnecting');
    },
  };
}
