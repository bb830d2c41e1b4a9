import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BootMachine, type BootEvent } from '../../../testbed/boot-machine.js';
import { DEVICE_CLI } from '../../../testbed/sim-unit.js';
import { installInto, directoryPayload } from '../../src/update/slot-installer.js';
import { slotDir } from '../../src/update/slot-layout.js';
import { prng } from './prng.js';

const STAND_IN = fileURLToPath(new URL('./slot-runtime.mjs', import.meta.url));
export const DEVICE_DIST = fileURLToPath(new URL('../../dist', import.meta.url));

export type Behavior = 'good' | 'crash' | 'hang' | 'no-gnss';

/** A release directory: the stand-in runtime, its behaviour, and `padBytes` of seeded filler. */
export async function makeRelease(root: string, version: string, behavior: Behavior, padBytes = 64 * 1024): Promise<string> {
  const dir = join(root, 'releases', version);
  await mkdir(join(dir, 'lib'), { recursive: true });
  await copyFile(STAND_IN, join(dir, 'runtime.mjs'));
  await writeFile(join(dir, 'release.json'), JSON.stringify({ version, behavior }));
  const rand = prng(version.length * 7919 + padBytes);
  const pad = Buffer.alloc(padBytes);
  for (let i = 0; i < pad.length; i++) pad[i] = Math.floor(rand() * 256);
  await writeFile(join(dir, 'lib', 'pad.bin'), pad);
  return dir;
}

/** What the image ships: a release installed into slot A before the first boot. */
export async function factoryInstall(dataDir: string, release: string, version: string): Promise<void> {
  await installInto(slotDir(dataDir, 'A'), await directoryPayload(release, { version, entry: 'runtime.mjs' }));
}

export function bootMachine(dataDir: string, o: { trialS: number; watchdogS: number; machineWatchdogS?: number }): BootMachine {
  return new BootMachine({ dataDir, runtimeArgs: ['--data-dir', dataDir], startTimeoutS: 5, ...o, env: { PITWALL_DEVICE_DIST: DEVICE_DIST } });
}

export function http(method: 'GET' | 'POST', port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export const isRuntimeReady = (slot?: string) => (e: BootEvent) => e.runtime === 'ready' && (slot === undefined || e.slot === slot);

/** Asks the runtime on `port` to update from a release directory. */
export async function pushUpdate(port: number, release: string, version: string): Promise<void> {
  const res = await http('POST', port, `/update?from=${encodeURIComponent(release)}&version=${encodeURIComponent(version)}`);
  if (res.status !== 202) throw new Error(`update refused: ${res.status} ${res.body}`);
}

/** A release of the real runtime: a one-line entry that runs the built `pitwall-device` (the sim's stand-in for a packaged build). */
export async function realRuntimeRelease(root: string, version: string): Promise<string> {
  const dir = join(root, 'releases', version);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'runtime.mjs'), `// release ${version}\nawait import(${JSON.stringify(pathToFileURL(DEVICE_CLI).href)});\n`);
  return dir;
}
