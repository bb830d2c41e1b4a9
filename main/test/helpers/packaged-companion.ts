import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, Platform } from 'electron-builder';
import yaml from 'js-yaml';

export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/**
 * Lays out the companion's Linux package as electron-builder does for a release
 * (electron-builder.yml, `--dir` target) with two changes: no app.asar (asar: false), and a
 * stand-in Electron folder (`electronDist`), so nothing is downloaded. Without a real Electron
 * binary there are no fuses to flip (electron-fuses.test.ts keeps those) and nothing to rebuild
 * for Electron's ABI: the native modules stay built for this Node, which runs the package.
 * Returns the app folder (resources/app) of the unpacked package.
 */
export async function buildPackagedCompanion(work: string): Promise<string> {
  const electronDist = join(work, 'electron-stand-in');
  await mkdir(electronDist, { recursive: true });
  await writeFile(join(electronDist, 'electron'), '#!/bin/sh\necho "a stand-in for the Electron binary" >&2\nexit 1\n');
  await chmod(join(electronDist, 'electron'), 0o755);
  const config = yaml.load(await readFile(join(repoRoot, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
  delete config.electronFuses;
  Object.assign(config, {
    asar: false,
    npmRebuild: false,
    electronDist,
    directories: { ...(config.directories as object), output: join(work, 'release') },
  });
  const configFile = join(work, 'electron-builder.yml');
  await writeFile(configFile, yaml.dump(config));
  await build({ targets: Platform.LINUX.createTarget('dir'), config: configFile, projectDir: repoRoot });
  return join(work, 'release', 'linux-unpacked', 'resources', 'app');
}
