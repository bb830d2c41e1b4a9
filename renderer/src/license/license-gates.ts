import type { LicenseFeature, LicenseState, LicenseStatus } from '@pitwall/protocol';

/** Whether a control that needs `feature` may be offered, and if not, why (one sentence). */
export interface Gate {
  allowed: boolean;
  why: string | null;
}

const STATE_WORD: Record<LicenseState, string> = { none: 'no licence', active: 'active', grace: 'in grace', expired: 'expired', revoked: 'revoked', invalid: 'invalid' };

/**
 * The UI's side of feature gating, from the licence the unit last reported: a control whose
 * feature is not in force is greyed with the reason, since the unit would refuse it anyway. Not
 * gated here: a unit never heard from (the unit decides), a unit that does not enforce licences
 * (a simulator without `sim.licenseEnforced`), which refuses nothing, and an unlicensed unit whose
 * firmware does not say whether it enforces (`enforced` absent: the unit decides).
 */
export function featureGate(status: LicenseStatus | null | undefined, feature: LicenseFeature): Gate {
  if (!status || status.enforced === false || status.features.includes(feature)) return { allowed: true, why: null };
  if (status.state === 'none') {
    return status.enforced ? { allowed: false, why: `no licence installed: the unit refuses ${feature}` } : { allowed: true, why: null };
  }
  if (!status.licensedFeatures.includes(feature)) return { allowed: false, why: `licence does not include ${feature}` };
  return { allowed: false, why: `licence ${STATE_WORD[status.state]}: ${feature} is off` };
}

export type Tone = 'ok' | 'warn' | 'bad' | 'muted';

/** How a licence state is shown: a word and a tone. */
export function stateLook(status: LicenseStatus | null | undefined): { label: string; tone: Tone } {
  if (!status) return { label: 'licence unknown', tone: 'muted' };
  switch (status.state) {
    case 'active':
      return { label: 'licence active', tone: status.daysLeft !== null && status.daysLeft <= EXPIRING_DAYS ? 'warn' : 'ok' };
    case 'grace':
      return { label: 'licence in grace', tone: 'warn' };
    case 'none':
      if (status.enforced === false) return { label: 'licensing not enforced (simulator)', tone: 'muted' };
      return { label: 'no licence', tone: status.enforced ? 'warn' : 'muted' };
    default:
      return { label: `licence ${status.state}`, tone: 'bad' };
  }
}

/** Units with fewer days left than this are "about to expire". */
export const EXPIRING_DAYS = 30;

/** Days left as words: "120 days left", "1 day left", "stopped". */
export function daysText(status: LicenseStatus | null | undefined): string {
  if (!status || status.daysLeft === null) return '';
  if (status.daysLeft === 0) return 'features stopped';
  return `${status.daysLeft} day${status.daysLeft === 1 ? '' : 's'} left`;
}

/**
 * Fleet order for the Licences screen: the units that need a dealer first (revoked, invalid,
 * expired, grace), then by days left, units never heard from last.
 */
export function urgency(status: LicenseStatus | null | undefined): number {
  if (!status) return 1e9;
  const rank: Record<LicenseState, number> = { revoked: 0, invalid: 1, expired: 2, grace: 3, none: 4, active: 5 };
  return rank[status.state] * 1e6 + (status.daysLeft ?? 0);
}
