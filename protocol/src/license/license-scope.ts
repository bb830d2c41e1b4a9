import type { LicensePayload } from './license-payload.js';

/** What a licence's scope is matched against: the unit's id and its model as bundles name it (`PW-1`, `PW-1-sim`). */
export interface LicenseUnit {
  unitId: string;
  model: string;
}

/**
 * Why a licence is not for this unit, or null. A model scope matches every unit of the model
 * (a dealer's stock); its `fleet` is the companion's and the hub's grouping, which the unit
 * cannot check.
 */
export function licenceScopeProblem(p: LicensePayload, unit: LicenseUnit): string | null {
  if ('unitId' in p.scope) return p.scope.unitId === unit.unitId ? null : `licence ${p.licenseId} is bound to unit ${p.scope.unitId}, not to this unit (${unit.unitId})`;
  return p.scope.model === unit.model ? null : `licence ${p.licenseId} is for model ${p.scope.model}, not for this unit's model ${unit.model}`;
}
