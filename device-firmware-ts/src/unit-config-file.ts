import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseUnitConfig, shownValue, UnitConfig, UnitConfigError, UNIT_CONFIG_DEFAULTS, type UnitConfig as UnitConfigT } from '@pitwall/protocol';
import type { TSchema } from '@sinclair/typebox';

export const DEFAULT_CONFIG_FILE = '/etc/pitwall/unit.json';

/** Bad configuration or flags: one sentence naming the field; nothing has been started. */
export class ConfigError extends Error {}

type Kind = 'text' | 'path' | 'number' | 'off' | 'on';
interface Flag {
  flag: string;
  path: string[];
  kind: Kind;
  arg?: string;
}

/** Every configuration flag and the setting it overrides; descriptions and defaults come from the schema. */
export const CONFIG_FLAGS: readonly Flag[] = [
  { flag: 'data-dir', path: ['dataDir'], kind: 'path', arg: 'DIR' },
  { flag: 'api-port', path: ['api', 'port'], kind: 'number', arg: 'PORT' },
  { flag: 'host', path: ['api', 'host'], kind: 'text', arg: 'ADDR' },
  { flag: 'no-mdns', path: ['api', 'mdns'], kind: 'off' },
  { flag: 'name', path: ['name'], kind: 'text', arg: 'NAME' },
  { flag: 'pairing-window', path: ['pairingWindowS'], kind: 'number', arg: 'S' },
  { flag: 'log-dir', path: ['logs', 'dir'], kind: 'path', arg: 'DIR' },
  { flag: 'log-level', path: ['logs', 'level'], kind: 'text', arg: 'L' },
  { flag: 'health-interval', path: ['health', 'intervalS'], kind: 'number', arg: 'S' },
  { flag: 'disk-low-mb', path: ['health', 'diskLowMb'], kind: 'number', arg: 'MB' },
  { flag: 'vendor-keys', path: ['update', 'keysDir'], kind: 'path', arg: 'DIR' },
  { flag: 'hang-timeout', path: ['hangTimeoutS'], kind: 'number', arg: 'S' },
  { flag: 'imu-rate', path: ['imu', 'rateHz'], kind: 'number', arg: 'HZ' },
  { flag: 'no-auto-session', path: ['sessions', 'auto'], kind: 'off' },
  { flag: 'session-start-kmh', path: ['sessions', 'startKmh'], kind: 'number', arg: 'KMH' },
  { flag: 'session-start-s', path: ['sessions', 'startS'], kind: 'number', arg: 'S' },
  { flag: 'session-stop-s', path: ['sessions', 'stopS'], kind: 'number', arg: 'S' },
  { flag: 'gnss-path', path: ['hardware', 'gnssPath'], kind: 'path', arg: 'DEV' },
  { flag: 'gnss-baud', path: ['hardware', 'gnssBaud'], kind: 'number', arg: 'BAUD' },
  { flag: 'usb-gadget', path: ['hardware', 'usbGadgetPath'], kind: 'path', arg: 'DEV' },
  { flag: 'recording', path: ['sim', 'recording'], kind: 'path', arg: 'FILE' },
  { flag: 'speed', path: ['sim', 'speed'], kind: 'number', arg: 'X' },
  { flag: 'serial-link', path: ['sim', 'serialLink'], kind: 'path', arg: 'PATH' },
  { flag: 'pit-stop', path: ['sim', 'pitStopS'], kind: 'number', arg: 'S' },
  { flag: 'track-days', path: ['sim', 'trackDays'], kind: 'number', arg: 'N' },
  { flag: 'license-enforced', path: ['sim', 'licenseEnforced'], kind: 'on' },
];

/** parseArgs options for every configuration flag. */
export const CONFIG_FLAG_OPTIONS = Object.fromEntries(CONFIG_FLAGS.map((f) => [f.flag, { type: f.kind === 'off' || f.kind === 'on' ? 'boolean' : 'string' }] as const)) as Record<
  string,
  { type: 'boolean' | 'string' }
>;

const schemaAt = (path: string[]): TSchema => path.reduce<TSchema>((s, k) => s.properties[k] as TSchema, UnitConfig);
const valueAt = (o: unknown, path: string[]): unknown => path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

/** One help line per flag: what it sets, and its default. */
export function flagHelp(section: string[]): string {
  return CONFIG_FLAGS.filter((f) => section.includes(f.path[0]!))
    .map((f) => {
      const s = schemaAt(f.path);
      const def = valueAt(UNIT_CONFIG_DEFAULTS, f.path);
      const shown = f.kind === 'off' || f.kind === 'on' ? '' : def === undefined ? '' : ` (default ${def})`;
      const what = f.kind === 'off' ? `turn off: ${s.description}` : f.kind === 'on' ? `turn on: ${s.description}` : s.description;
      return `  --${`${f.flag}${f.arg ? ` ${f.arg}` : ''}`.padEnd(24)} ${what}${shown}`;
    })
    .join('\n');
}

function setAt(o: Record<string, unknown>, path: string[], v: unknown): void {
  let node = o;
  for (const k of path.slice(0, -1)) {
    const next = node[k];
    node = node[k] = typeof next === 'object' && next !== null && !Array.isArray(next) ? { ...(next as object) } : {};
  }
  node[path.at(-1)!] = v;
}

/** The configuration file's JSON: the default file may be absent (every default), a named one may not. */
export async function readConfigFile(file: string | undefined, fallback: string | null): Promise<{ json: unknown; source: string }> {
  const path = file ?? fallback;
  if (path === null) return { json: {}, source: 'defaults' };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (file === undefined && (err as NodeJS.ErrnoException).code === 'ENOENT') return { json: {}, source: 'defaults' };
    throw new ConfigError(`cannot read the configuration ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`${path}: the unit configuration must be a JSON object`);
  return { json, source: path };
}

/**
 * The configuration file overridden by the flags given, validated against UnitConfig. An error
 * names the flag, or the file and the field.
 */
export function configFromFlags(json: unknown, source: string, values: Record<string, string | boolean | undefined>): UnitConfigT {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`${source}: the unit configuration must be a JSON object`);
  const merged = structuredClone(json) as Record<string, unknown>;
  const byField = new Map<string, string>();
  for (const f of CONFIG_FLAGS) {
    const v = values[f.flag];
    if (v === undefined || v === false) continue;
    byField.set(f.path.join('.'), `--${f.flag}`);
    if (f.kind === 'off') setAt(merged, f.path, false);
    else if (f.kind === 'on') setAt(merged, f.path, true);
    else if (f.kind === 'path') setAt(merged, f.path, resolve(String(v)));
    else if (f.kind === 'text') setAt(merged, f.path, String(v));
    else {
      const text = String(v);
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`--${f.flag} must be a number, got ${shownValue(text)}`);
      setAt(merged, f.path, n);
    }
  }
  let config: UnitConfigT;
  try {
    config = parseUnitConfig(merged);
  } catch (err) {
    if (!(err instanceof UnitConfigError)) throw err;
    const flag = byField.get(err.field);
    throw new ConfigError(flag ? `${flag}: ${err.message}` : `${source}: ${err.message}`);
  }
  // Paths in the file are taken from the working directory, like the flags'.
  config.dataDir = resolve(config.dataDir);
  if (config.logs.dir) config.logs.dir = resolve(config.logs.dir);
  if (config.sim.recording) config.sim.recording = resolve(config.sim.recording);
  if (config.sim.serialLink) config.sim.serialLink = resolve(config.sim.serialLink);
  if (config.name) config.name = config.name.trim();
  return config;
}

/** Whether the file or the flags set this field (the sim needs a data directory and port named). */
export function isSet(json: unknown, values: Record<string, string | boolean | undefined>, path: string[]): boolean {
  const flag = CONFIG_FLAGS.find((f) => f.path.join('.') === path.join('.'));
  return (flag !== undefined && values[flag.flag] !== undefined) || valueAt(json, path) !== undefined;
}
