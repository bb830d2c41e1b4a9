import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** SoC temperature from the kernel's thermal zones (ROOT/sys/class/thermal/thermal_zone* /temp, millidegrees). */
export interface Thermal {
  socTempC(): Promise<number | null>;
}

export function thermalZones(root = '/'): Thermal {
  const dir = join(root, 'sys/class/thermal');
  return {
    async socTempC() {
      let zones: string[];
      try {
        zones = (await readdir(dir)).filter((z) => /^thermal_zone\d+$/.test(z)).sort();
      } catch {
        return null;
      }
      // The hottest zone: on the boards we ship zone 0 is the SoC, but the max is safe either way.
      let hottest: number | null = null;
      for (const z of zones) {
        try {
          const milli = Number((await readFile(join(dir, z, 'temp'), 'utf8')).trim());
          if (Number.isFinite(milli)) hottest = Math.max(hottest ?? -Infinity, milli / 1000);
        } catch {
          /* a zone that cannot be read is skipped */
        }
      }
      return hottest;
    },
  };
}
