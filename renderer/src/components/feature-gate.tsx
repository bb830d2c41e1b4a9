import type { ReactNode } from 'react';
import type { LicenseFeature } from '@pitwall/protocol';
import { featureGate, type Gate } from '../license/license-gates.js';
import { useLicenses } from '../store/license-store.js';

/**
 * Shows `children` as usual when the unit's licence has `feature` in force; otherwise greyed,
 * out of reach of clicks and the keyboard (inert), with the reason above: the unit would refuse.
 */
export function FeatureGate({ unitId, feature, what, children }: { unitId: string; feature: LicenseFeature; what: string; children: ReactNode }) {
  const status = useLicenses((s) => s.views[unitId]?.status);
  return (
    <GatedBlock gate={featureGate(status, feature)} feature={feature} what={what}>
      {children}
    </GatedBlock>
  );
}

/** FeatureGate's look for a gate already worked out. */
export function GatedBlock({ gate, feature, what, children }: { gate: Gate; feature: LicenseFeature; what: string; children: ReactNode }) {
  if (gate.allowed) return <>{children}</>;
  return (
    <div className="feature-gated" data-testid="feature-gated" data-feature={feature}>
      <p className="feature-gated-why" data-testid="feature-gated-why">
        {what} unavailable: {gate.why}
      </p>
      <div className="feature-gated-body" aria-disabled="true" inert>
        {children}
      </div>
    </div>
  );
}
