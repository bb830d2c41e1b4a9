import type { PairingInfo, Role } from '@pitwall/protocol';

/** One link's view of a unit's key: what it presented (TLS certificate, mDNS TXT, serial info). */
export interface SeenKey {
  online: boolean;
  lastSeen: number;
  fingerprint: string | null;
}

/**
 * The companion's trust in a unit, from its pin and the keys its links present (pure).
 * - no pin: `unpaired`, or `conflict` when online links present different keys;
 * - pin, every link that presents a key presents the pinned one: `paired`;
 * - pin, some present it and some do not (a rogue claiming the same id): `conflict`;
 * - pin, none presents it any more: `key-changed`.
 * Online links count; when none is online, the last keys seen decide.
 */
export function pairingInfo(pin: { fingerprint: string; role: Role } | null, links: SeenKey[]): PairingInfo {
  const withKey = links.filter((l) => l.fingerprint !== null).sort((a, b) => b.lastSeen - a.lastSeen);
  const online = withKey.filter((l) => l.online);
  const basis = online.length > 0 ? online : withKey;
  const keys = [...new Set(basis.map((l) => l.fingerprint as string))];
  const latest = basis[0]?.fingerprint ?? null;
  if (!pin) {
    return { state: keys.length > 1 ? 'conflict' : 'unpaired', role: null, pinnedFingerprint: null, seenFingerprint: latest };
  }
  const others = keys.filter((k) => k !== pin.fingerprint);
  const base = { role: pin.role, pinnedFingerprint: pin.fingerprint };
  if (others.length === 0) return { ...base, state: 'paired', seenFingerprint: latest };
  return { ...base, state: keys.includes(pin.fingerprint) ? 'conflict' : 'key-changed', seenFingerprint: others[0]! };
}

/** The SSH-like sentence for a key that is not the pinned one. */
export function keyChangedMessage(unitName: string, expected: string, presented: string): string {
  return (
    `WARNING: the identity of ${unitName} has changed. Expected key ${expected}, got ${presented}. ` +
    'Someone could be impersonating the unit, or its key was replaced. Nothing was sent to it. ' +
    'If this is intended (the unit was reset or repaired), unpair it and pair it again.'
  );
}

export function conflictMessage(unitName: string, pinned: string | null, other: string): string {
  return (
    `WARNING: two units claim to be ${unitName}: one presents ${other}` +
    (pinned ? `, the paired one ${pinned}` : '') +
    '. The other one is never trusted; check for a cloned or rogue unit on this network.'
  );
}
