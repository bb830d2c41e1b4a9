import type { LicenseStatus } from '@pitwall/protocol';
import { daysText, stateLook } from '../license/license-gates.js';

/** A unit card's licence line: state, days left, and a warning when the unit caught its clock set back. */
export function LicenseChip({ status }: { status: LicenseStatus | null | undefined }) {
  const { label, tone } = stateLook(status);
  const days = status?.state === 'active' || status?.state === 'grace' ? daysText(status) : '';
  return (
    <span className={`license-chip tone-${tone}`} data-testid="license-chip" data-state={status?.state ?? 'unknown'} title={status?.reason}>
      {label}
      {days && ` · ${days}`}
      {status?.clock.tampered && (
        <span className="license-tamper" data-testid="license-tamper-chip" title="The unit's clock was set back: it counts from the latest time it trusted">
          {' '}
          · clock set back
        </span>
      )}
    </span>
  );
}
