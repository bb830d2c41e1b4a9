import { parseArgs } from 'node:util';
import { parseNumber, type CompanionHandlers, type WifiAddRequest, type WifiNetwork, type WifiProfile, type WifiStatus } from '@pitwall/protocol';

/** `pitwall wifi scan|list|status|add|remove|priority|connect <unit> ...`: a paired unit's Wi-Fi. */
export const WIFI_USAGE = `  pitwall wifi scan|list|status <unit> [--no-rescan] [same options as pair]
      The networks the unit sees (signal, security, band), its saved networks in priority order,
      or its Wi-Fi mode (hotspot or client, and why), network, address and last connect time.
  pitwall wifi add <unit> <ssid> [--security open|wpa2|wpa3] [--hidden] [--priority N] [--support] [--ssid-hex]
      Save a network on the unit (owner or dealer). The password is read from a prompt (not echoed)
      or the first line of stdin, never from the command line. --ssid-hex: <ssid> is the name's bytes in hex.
  pitwall wifi remove <unit> <id> | pitwall wifi priority <unit> <id> <N> | pitwall wifi connect <unit> <id>
      Remove a saved network, set its priority (-999..998; the support network is always first),
      or connect to it now. <id> is the network's id as \`pitwall wifi list\` shows it.`;

export type WifiSub = 'scan' | 'list' | 'status' | 'add' | 'remove' | 'priority' | 'connect';
const SUBS: readonly WifiSub[] = ['scan', 'list', 'status', 'add', 'remove', 'priority', 'connect'];

export interface WifiCliArgs {
  sub: WifiSub;
  rescan: boolean;
  /** add: the network (password filled in from the prompt or stdin). */
  network?: Omit<WifiAddRequest, 'password'>;
  uuid?: string;
  priority?: number;
}

export interface WifiCliCommon {
  unit: string;
  dataDir: string | undefined;
  serialPaths: string[];
  mdns: boolean;
  findTimeoutS: number;
  verbose: boolean;
}

export class WifiUsageError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECURITY = { open: 'open', wpa2: 'wpa2-personal', wpa3: 'wpa3-personal' } as const;

export function parseWifiCli(argv: string[]): { wifi: WifiCliArgs; common: WifiCliCommon } {
  const [sub, ...rest] = argv;
  if (!SUBS.includes(sub as WifiSub)) throw new WifiUsageError(`wifi needs one of ${SUBS.join(', ')}.`);
  if (rest.some((a) => /^--(password|psk|pass|passphrase)(=|$)/.test(a))) {
    throw new WifiUsageError('a Wi-Fi password is never given on the command line (other users and the shell history see it): it is asked for, or read from stdin.');
  }
  // A negative priority is a value, not an option: `wifi priority UNIT ID -5`, `--priority -5`.
  const negative = (a: string, i: number) => /^-\d+$/.test(a) && rest[i - 1] !== '--priority';
  const args = rest.map((a, i) => (/^-\d+$/.test(a) && rest[i - 1] === '--priority' ? `=${a}` : a)).filter((a, i) => !negative(a, i));
  const joined = args.flatMap((a, i) => (a.startsWith('=') ? [] : args[i + 1]?.startsWith('=') ? [`${a}${args[i + 1]}`] : [a]));
  const { values, positionals: named } = parseArgs({
    args: joined,
    strict: true,
    allowPositionals: true,
    options: {
      security: { type: 'string' },
      hidden: { type: 'boolean', default: false },
      support: { type: 'boolean', default: false },
      'ssid-hex': { type: 'boolean', default: false },
      priority: { type: 'string' },
      'no-rescan': { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      serial: { type: 'string', multiple: true, default: [] },
      'no-mdns': { type: 'boolean', default: false },
      timeout: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const positionals = [...named, ...rest.filter(negative)];
  const want = sub === 'add' ? 2 : sub === 'remove' || sub === 'connect' ? 2 : sub === 'priority' ? 3 : 1;
  if (positionals.length !== want) throw new WifiUsageError(`wifi ${sub} takes ${want === 1 ? 'a unit' : sub === 'add' ? 'a unit and a network name' : sub === 'priority' ? 'a unit, a network id and a priority' : 'a unit and a network id'}.`);
  const unit = positionals[0]!.trim();
  if (unit === '' || unit.length > 255) throw new WifiUsageError('the unit must be 1-255 characters.');
  const wifi: WifiCliArgs = { sub: sub as WifiSub, rescan: !values['no-rescan'] };
  if (sub !== 'add' && (values.security !== undefined || values.hidden || values.support || values['ssid-hex'] || (values.priority !== undefined && sub !== 'priority'))) {
    throw new WifiUsageError('--security, --hidden, --support, --ssid-hex and --priority are for wifi add.');
  }
  if (sub === 'add') {
    const sec = values.security ?? 'wpa2';
    if (!(sec in SECURITY)) throw new WifiUsageError('--security is open, wpa2 or wpa3.');
    const name = positionals[1]!;
    if (values['ssid-hex'] && !/^([0-9A-Fa-f]{2}){1,32}$/.test(name)) throw new WifiUsageError('with --ssid-hex the name is 1 to 32 bytes in hex.');
    if (values.support && values.priority !== undefined) throw new WifiUsageError('the support network is always first: leave --priority out.');
    wifi.network = {
      ...(values['ssid-hex'] ? { ssidHex: name } : { ssid: name }),
      security: SECURITY[sec as keyof typeof SECURITY],
      ...(values.hidden ? { hidden: true } : {}),
      ...(values.support ? { kind: 'support' as const } : {}),
      ...(values.priority !== undefined ? { priority: parseNumber('--priority', values.priority, { min: -999, max: 998, integer: true }) } : {}),
    };
  }
  if (sub === 'remove' || sub === 'connect' || sub === 'priority') {
    if (!UUID.test(positionals[1]!)) throw new WifiUsageError('a network id is its uuid, as `pitwall wifi list` shows it.');
    wifi.uuid = positionals[1]!;
  }
  if (sub === 'priority') wifi.priority = parseNumber('priority', positionals[2]!, { min: -999, max: 998, integer: true });
  const dataDir = values['data-dir'];
  if (dataDir !== undefined && dataDir.trim() === '') throw new WifiUsageError('--data-dir needs a directory.');
  return {
    wifi,
    common: {
      unit,
      dataDir,
      serialPaths: values.serial,
      mdns: !values['no-mdns'],
      findTimeoutS: values.timeout === undefined ? 5 : parseNumber('--timeout', values.timeout, { min: 0, aboveMin: true, max: 600, unit: ' seconds' }),
      verbose: values.verbose,
    },
  };
}

export interface WifiIo {
  out(line: string): void;
  /** The password: a prompt without echo on a terminal, else the first line of stdin. */
  secret(prompt: string): Promise<string>;
}

const bars = (signal: number) => '▂▄▆█'.slice(0, Math.max(1, Math.ceil(signal / 25))).padEnd(4, ' ');
const shown = (n: { ssid: string | null; ssidHex: string; hidden?: boolean }) => (n.hidden ? '(hidden)' : (n.ssid ?? `hex:${n.ssidHex}`));

function printStatus(s: WifiStatus, io: WifiIo): void {
  io.out(`Mode: ${s.mode} (${s.reason})`);
  if (s.latch.now !== s.latch.atBoot) io.out(`The hotspot latch now asks for ${s.latch.now} mode: it takes effect at the next reboot, or by the owner's command.`);
  io.out(s.connected ? `Connected: ${s.ssid ?? (s.ssidHex ? `hex:${s.ssidHex}` : '?')}${s.signal === null ? '' : `, signal ${s.signal}%`}, address ${s.address ?? 'none yet'}` : 'Not connected.');
  if (s.connectTimeMs !== null) io.out(`Last connect took ${(s.connectTimeMs / 1000).toFixed(1)} s.`);
  if (s.lastError) io.out(`Last error: ${s.lastError}`);
}

/** Runs one wifi subcommand against a found, paired unit. */
export async function runWifi(h: Pick<CompanionHandlers, `wifi:${WifiSub}`>, unitId: string, name: string, a: WifiCliArgs, io: WifiIo): Promise<number> {
  if (a.sub === 'status') printStatus(await h['wifi:status']({ unitId }), io);
  if (a.sub === 'scan') {
    const nets: WifiNetwork[] = (await h['wifi:scan']({ unitId, rescan: a.rescan })).networks;
    if (nets.length === 0) io.out(`${name} sees no networks.`);
    for (const n of nets) io.out(`${bars(n.signal)} ${String(n.signal).padStart(3)}%  ${(n.band ?? '').padEnd(7)} ch ${String(n.channel ?? '-').padEnd(3)} ${(n.security.join(' ') || 'open').padEnd(10)} ${n.inUse ? '* ' : '  '}${shown(n)}`);
  }
  const list = (profiles: WifiProfile[]) => {
    if (profiles.length === 0) io.out(`${name} has no saved networks.`);
    for (const p of profiles) io.out(`${String(p.priority).padStart(4)}  ${p.kind.padEnd(7)} ${p.active ? 'active ' : '       '} ${p.uuid}  ${p.name}`);
  };
  if (a.sub === 'list') list((await h['wifi:list']({ unitId })).profiles);
  if (a.sub === 'add') {
    const network: WifiAddRequest = { ...a.network! };
    if (network.security !== 'open') network.password = await io.secret(`Password for ${network.ssid ?? `hex:${network.ssidHex}`}: `);
    const p = await h['wifi:add']({ unitId, network });
    io.out(`Saved on ${name}: ${p.name} (${p.uuid}), priority ${p.priority}.`);
  }
  if (a.sub === 'remove') io.out(`Removed ${(await h['wifi:remove']({ unitId, uuid: a.uuid! })).removed} from ${name}.`);
  if (a.sub === 'priority') list((await h['wifi:priority']({ unitId, uuid: a.uuid!, priority: a.priority! })).profiles);
  if (a.sub === 'connect') printStatus(await h['wifi:connect']({ unitId, uuid: a.uuid! }), io);
  return 0;
}
