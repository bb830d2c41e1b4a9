import { BundleError, compareRuntimeVersions, type UpdateManifest } from '@pitwall/protocol';

/** What a unit knows about itself when it decides whether a (signed) bundle is for it. */
export interface UnitFacts {
  unitId: string;
  model: string;
  installedVersion: string;
}

/** Whether this signed manifest's downgrade permission names this unit or its model. */
export function downgradePermitted(m: UpdateManifest, unit: UnitFacts): boolean {
  return !!m.downgrade && (m.downgrade.unitIds.includes(unit.unitId) || m.downgrade.models.includes(unit.model));
}

/**
 * Why a correctly signed bundle still may not be installed on this unit, or null. Pure: the
 * verifier calls it after the signature and before the first payload byte is written.
 */
export function manifestRefusal(m: UpdateManifest, unit: UnitFacts, capacityBytes: number): BundleError | null {
  if (!m.compatibleModels.includes(unit.model)) {
    return new BundleError('incompatible', `the bundle is for ${m.compatibleModels.join(', ')}, not for this unit's model ${unit.model}`);
  }
  if (compareRuntimeVersions(unit.installedVersion, m.minReplaceVersion) < 0) {
    return new BundleError('incompatible', `runtime ${m.runtimeVersion} needs at least ${m.minReplaceVersion} installed; this unit runs ${unit.installedVersion}`);
  }
  if (compareRuntimeVersions(m.runtimeVersion, unit.installedVersion) < 0 && !downgradePermitted(m, unit)) {
    return new BundleError('downgrade', `runtime ${m.runtimeVersion} is older than the installed ${unit.installedVersion}, and the bundle carries no downgrade permission for this unit or model`);
  }
  if (m.payloadSize > capacityBytes) {
    return new BundleError('too-large', `the payload is ${m.payloadSize} bytes, larger than the slot (${capacityBytes} bytes)`);
  }
  return null;
}
