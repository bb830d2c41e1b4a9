import { fileURLToPath } from 'node:url';
import { startReadyProcess, type ReadyProcess } from './ready-process.js';

export const DEVICE_CLI = fileURLToPath(new URL('../device-firmware-ts/dist/cli.js', import.meta.url));

export interface SimUnitOptions {
  dataDir: string;
  name?: string;
  recording?: string;
  speed?: number;
  /** Run inside this network namespace (needs root). */
  netns?: string;
  /** Pinned vendor public keys (a test key pair's, testVendorKey): bundles it signs can be pushed. */
  vendorKeysDir?: string;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface ReadyEvent {
  event: 'ready';
  id: string;
  apiPort: number;
  serialPath: string;
}

export type SimUnit = ReadyProcess<ReadyEvent>;

/** Starts `pitwall-device sim` (built dist) and waits for its ready line. */
export function startSimUnit(opts: SimUnitOptions, timeoutMs = 45_000): Promise<SimUnit> {
  const argv = [process.execPath, DEVICE_CLI, 'sim', '--data-dir', opts.dataDir, '--api-port', '0'];
  if (opts.name) argv.push('--name', opts.name);
  if (opts.recording) argv.push('--recording', opts.recording);
  if (opts.speed) argv.push('--speed', String(opts.speed));
  if (opts.vendorKeysDir) argv.push('--vendor-keys', opts.vendorKeysDir);
  // Outside a namespace a unit stays on loopback: no multicast on the machine's interfaces.
  if (!opts.netns) argv.push('--no-mdns', '--host', '127.0.0.1');
  argv.push(...(opts.extraArgs ?? []));
  return startReadyProcess<ReadyEvent>(argv, { netns: opts.netns, env: opts.env, timeoutMs, label: `unit ${opts.name ?? opts.dataDir}` });
}
