/**
 * The model id a bundle's `compatibleModels` names for a unit of this model (its /v1/info
 * `model`): the display name with every run of other characters made one '-', so the real
 * "PW-1" is `PW-1` and the simulated "PW-1 (sim)" is `PW-1-sim` (a sim build never matches a
 * real unit).
 */
export function bundleModelId(model: string): string {
  return model
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+|-+$/g, '')
    .slice(0, 64);
}
