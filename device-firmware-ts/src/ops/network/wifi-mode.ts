import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { WifiMode } from '@pitwall/protocol';
import { writeFileAtomic } from '@pitwall/protocol/node';
import type { NetworkManagerHal } from '../../hal/nm/index.js';
import { validPsk } from '../../hal/nm/index.js';

export interface HotspotLabel {
  ssid: string;
  /** The 0600 file holding the password printed on the unit's label. */
  pskFile: string;
}

/** The mode the hotspot latch asks for: null when the board has no latch (client mode). */
export const latchMode = (closed: boolean | null): WifiMode | null => (closed === null ? null : closed ? 'hotspot' : 'client');

/**
 * The label's hotspot password. A unit made before its label was printed has none yet: one is
 * made here (12 characters from an alphabet without look-alikes) and kept, 0600, for the label.
 */
export async function labelPassword(label: HotspotLabel): Promise<string> {
  try {
    const psk = (await readFile(label.pskFile, 'utf8')).trim();
    if (validPsk(psk)) return psk;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(label.pskFile), { recursive: true, mode: 0o700 });
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const psk = [...randomBytes(12)].map((b) => alphabet[b % alphabet.length]).join('');
  await writeFileAtomic(label.pskFile, `${psk}\n`, 0o600);
  return psk;
}

/**
 * Puts the radio into `mode`: hotspot brings up the unit's access point (mode ap, ipv4 shared,
 * the label's SSID and password); client takes the hotspot down, so the saved networks connect
 * by their priority.
 */
export async function applyMode(nm: NetworkManagerHal, mode: WifiMode, label: HotspotLabel, addSecret: (s: string) => void): Promise<void> {
  const existing = (await nm.list()).filter((p) => p.kind === 'hotspot');
  if (mode === 'client') {
    for (const p of existing) if (p.active) await nm.down(p.uuid);
    return;
  }
  const psk = await labelPassword(label);
  addSecret(psk);
  const hotspot = await nm.add({ ssid: new TextEncoder().encode(label.ssid), label: label.ssid, kind: 'hotspot', security: 'wpa2-personal', psk, hidden: false, priority: 0 }, existing[0]?.uuid);
  await nm.up(hotspot.uuid, 30_000);
}
