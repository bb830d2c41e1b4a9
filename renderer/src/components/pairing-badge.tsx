import type { PairingInfo } from '@pitwall/protocol';

const ROLE: Record<string, string> = { owner: 'owner', staff: 'staff', dealer: 'dealer', support: 'support' };

/** The companion's trust in a unit, at a glance: paired (with the role), key changed, conflict. */
export function PairingBadge({ pairing }: { pairing: PairingInfo }) {
  if (pairing.state === 'unpaired') {
    return (
      <span className="trust-badge trust-unpaired" data-testid="pairing-badge" data-state="unpaired">
        Not paired
      </span>
    );
  }
  if (pairing.state === 'paired') {
    return (
      <span className="trust-badge trust-paired" data-testid="pairing-badge" data-state="paired" title={`Pinned key ${pairing.pinnedFingerprint ?? ''}`}>
        <LockIcon /> Paired · {ROLE[pairing.role ?? ''] ?? pairing.role}
      </span>
    );
  }
  return (
    <span className="trust-badge trust-danger" data-testid="pairing-badge" data-state={pairing.state}>
      <span aria-hidden="true">⚠</span> {pairing.state === 'key-changed' ? 'Key changed' : 'Identity conflict'}
    </span>
  );
}

function LockIcon() {
  return (
    <svg width="10" height="11" viewBox="0 0 10 11" aria-hidden="true">
      <rect x="1" y="4.5" width="8" height="6" rx="1.2" fill="currentColor" />
      <path d="M3 4.5V3a2 2 0 0 1 4 0v1.5" fill="none" stroke="currentColor" strokeWidth="1.4" />
    </svg>
  );
}
