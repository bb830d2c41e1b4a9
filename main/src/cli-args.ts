import { parseArgs } from 'node:util';
import { CompanionError, parseChoice, parseNumber, parsePort, SUPPORT_MAX_S, type Role } from '@pitwall/protocol';
import { BUNDLE_USAGE } from './bundle-commands.js';
import { UPDATE_USAGE } from './update-commands.js';
import { LICENSE_VENDOR_USAGE } from './license-vendor-commands.js';
import { LICENSE_FLEET_USAGE } from './license-fleet-commands.js';
import { RECOVERY_USAGE } from './recovery-commands.js';
import { SUPPORT_EXPORT_USAGE } from './support-export-cli.js';
import { parseAddress as parseUnitAddress } from './companion.js';
import { SESSION_USAGE } from './session-commands.js';
import { COMPARE_USAGE } from './compare-command.js';
import { HUB_USAGE } from './hub-commands.js';
import { BIRTH_CERT_USAGE } from './birth-cert-command.js';
import { parseWifiCli, WIFI_USAGE, type WifiCliArgs } from './wifi-cli.js';

/** A command-line mistake: printed with the usage, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage:
  pitwall discover [--timeout S] [--json] [--serial PATH ...] [--address HOST:PORT ...] [--no-mdns] [--verbose]
      List the units found within S seconds (default 3): id, name, firmware, links.
  pitwall serve [--port N] [--data-dir DIR] [--serial PATH ...] [--address HOST:PORT ...] [--no-mdns] [--verbose]
      Start the companion in browser mode on 127.0.0.1 and print {"event":"ready","url":...}.
  pitwall start [same options as serve]
      Open the desktop window when the Electron binary is installed, otherwise browser mode.
  pitwall pair <unit> [--via usb|net] [--role owner|staff|dealer|support] [--data-dir DIR] [--serial PATH ...] [--no-mdns]
      Pair this companion with a unit: over USB (physical presence), or over the network after the
      unit's pairing button is pressed (waits up to 120 s). <unit> is an id, id prefix, name,
      HOST:PORT address or USB serial port path. Default: USB when connected, else network; role owner.
  pitwall operators <unit> [same options as pair]
      List the operators paired with a unit (owner only).
  pitwall unpair <unit> [same options as pair]
      Forget the unit's pinned key here (an owner also revokes this companion on the unit).
  pitwall requests <unit> [same options as pair]
      List the requests to become an owner of a unit waiting for approval (owner only).
  pitwall approve <unit> <request-id> | pitwall deny <unit> <request-id> [same options as pair]
      Make the requester an owner, or refuse it (owner only; compare its key with the requester's).
  pitwall diagnostics <unit> -o FILE [--no-pull] [--data-dir DIR] [--serial PATH ...] [--no-mdns]
      Pull the unit's logs, health and crash dumps (when it is online and paired), then write its
      diagnostics archive (tar.gz: logs, health, dumps, info, audit log; secrets redacted) to FILE.
      An offline unit's archive is made from what this companion already stored.
  pitwall support on|off|status <unit> [--for DURATION] [same options as pair]
      Support mode on the unit: on (owner only; --for 90s|60m|2h, default 60m, at most 8h) lets
      support staff read its logs, health, crash dumps and settings through the support relay until
      it ends; off ends it at once; status shows the time left, the tunnel and the keys to register.
${SUPPORT_EXPORT_USAGE}
${WIFI_USAGE}
${SESSION_USAGE}
${COMPARE_USAGE}
${BUNDLE_USAGE}
${UPDATE_USAGE}
${LICENSE_VENDOR_USAGE}
${LICENSE_FLEET_USAGE}
${RECOVERY_USAGE}
${HUB_USAGE}
${BIRTH_CERT_USAGE}
  pitwall --help | --version`;

export interface DiscoverArgs {
  command: 'discover';
  timeoutS: number;
  json: boolean;
  serialPaths: string[];
  mdns: boolean;
  addresses: string[];
  verbose: boolean;
}
export interface ServeArgs {
  command: 'serve' | 'start';
  port: number;
  dataDir: string | undefined;
  serialPaths: string[];
  mdns: boolean;
  addresses: string[];
  verbose: boolean;
}
export interface UnitArgs {
  command: 'pair' | 'operators' | 'unpair' | 'diagnostics' | 'requests' | 'approve' | 'deny' | 'tracks-push' | 'support-on' | 'support-off' | 'support-status' | 'wifi';
  /** support on: seconds (absent: the unit's default, 60 minutes). */
  durationS?: number;
  /** wifi: the subcommand and its arguments. */
  wifi?: WifiCliArgs;
  /** approve / deny: the owner request answered. */
  requestId?: string;
  /** diagnostics: the archive to write, and whether to pull first. */
  output?: string;
  pull?: boolean;
  unit: string;
  via: 'usb' | 'net' | null;
  role: Role;
  dataDir: string | undefined;
  serialPaths: string[];
  mdns: boolean;
  /** Seconds to look for the unit before giving up. */
  findTimeoutS: number;
  verbose: boolean;
}
const UNIT_COMMANDS: readonly UnitArgs['command'][] = ['pair', 'operators', 'unpair', 'diagnostics', 'requests', 'approve', 'deny', 'tracks-push', 'support-on', 'support-off', 'support-status'];
const SUPPORT_ACTIONS = ['on', 'off', 'status'];

/** `--for 90s|60m|2h` (a bare number is minutes): whole seconds, 1 s to 8 h. */
export function parseSupportDuration(raw: string): number {
  const m = /^(\d{1,6})(s|m|h)?$/.exec(raw.trim());
  const s = m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 'm') as 's' | 'm' | 'h'] : NaN;
  if (!(s >= 1 && s <= SUPPORT_MAX_S)) throw new UsageError(`--for takes a duration from 1s to 8h, like 90s, 60m or 2h (got "${raw.slice(0, 20)}").`);
  return s;
}
export type CliArgs = DiscoverArgs | ServeArgs | UnitArgs | { command: 'help' } | { command: 'version' };

const ROLES: readonly Role[] = ['owner', 'staff', 'dealer', 'support'];


// ParameterErrors from these become UsageErrors (parseCli's catch), with their message.
const parseTimeout = (raw: string) => parseNumber('--timeout', raw, { min: 0, aboveMin: true, max: 600, unit: ' seconds' });

function parseAddress(raw: string): string {
  try {
    return parseUnitAddress(raw).target;
  } catch (err) {
    if (err instanceof CompanionError) throw new UsageError(`--address: ${err.message}`);
    throw err;
  }
}

export function parseCli(argv: string[]): CliArgs {
  // `tracks push <unit>` talks to a unit like pair does; the other `tracks` commands are the session commands'.
  const [command, ...rest] =
    argv[0] === 'tracks' && argv[1] === 'push' ? ['tracks-push', ...argv.slice(2)] : argv[0] === 'support' && SUPPORT_ACTIONS.includes(argv[1] ?? '') ? [`support-${argv[1]}`, ...argv.slice(2)] : argv;
  if (command === 'support') throw new UsageError('support needs on, off or status and the unit, or ls, get or archive (support staff, through the relay).');
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  if (command === '--version' || command === '-v') return { command: 'version' };
  try {
    if (command === 'discover') {
      const { values } = parseArgs({
        args: rest,
        strict: true,
        allowPositionals: false,
        options: {
          timeout: { type: 'string' },
          json: { type: 'boolean', default: false },
          serial: { type: 'string', multiple: true, default: [] },
          'no-mdns': { type: 'boolean', default: false },
          address: { type: 'string', multiple: true, default: [] },
          verbose: { type: 'boolean', default: false },
        },
      });
      return { command, addresses: values.address.map(parseAddress), verbose: values.verbose, timeoutS: values.timeout === undefined ? 3 : parseTimeout(values.timeout), json: values.json, serialPaths: values.serial, mdns: !values['no-mdns'] };
    }
    if (command === 'serve' || command === 'start') {
      const { values } = parseArgs({
        args: rest,
        strict: true,
        allowPositionals: false,
        options: {
          port: { type: 'string' },
          'data-dir': { type: 'string' },
          serial: { type: 'string', multiple: true, default: [] },
          'no-mdns': { type: 'boolean', default: false },
          address: { type: 'string', multiple: true, default: [] },
          verbose: { type: 'boolean', default: false },
        },
      });
      const dataDir = values['data-dir'];
      if (dataDir !== undefined && dataDir.trim() === '') throw new UsageError('--data-dir needs a directory.');
      return {
        command,
        port: values.port === undefined ? 0 : parsePort('--port', values.port),
        dataDir,
        serialPaths: values.serial,
        mdns: !values['no-mdns'],
        addresses: values.address.map(parseAddress),
        verbose: values.verbose,
      };
    }
    if (command === 'wifi') {
      const { wifi, common } = parseWifiCli(rest);
      return { command, wifi, ...common, via: null, role: 'owner' };
    }
    if (UNIT_COMMANDS.includes(command as UnitArgs['command'])) {
      const { values, positionals } = parseArgs({
        args: rest,
        strict: true,
        allowPositionals: true,
        options: {
          output: { type: 'string', short: 'o' },
          'no-pull': { type: 'boolean', default: false },
          via: { type: 'string' },
          role: { type: 'string' },
          'data-dir': { type: 'string' },
          serial: { type: 'string', multiple: true, default: [] },
          'no-mdns': { type: 'boolean', default: false },
          timeout: { type: 'string' },
          verbose: { type: 'boolean', default: false },
          for: { type: 'string' },
        },
      });
      if (values.for !== undefined && command !== 'support-on') throw new UsageError('--for is for support on only.');
      const answers = command === 'approve' || command === 'deny';
      if (answers && positionals.length !== 2) throw new UsageError(`${command} needs a unit and a request id (as \`pitwall requests <unit>\` lists them).`);
      if (answers && !/^[a-f0-9]{16}$/.test(positionals[1]!)) throw new UsageError('a request id is 16 hex digits, as `pitwall requests <unit>` lists them.');
      if (!answers && positionals.length !== 1) throw new UsageError(`${command.replace(/^(tracks|support)-/, '$1 ')} needs exactly one unit (an id, id prefix, name, address or serial port).`);
      const unit = positionals[0]!.trim();
      if (unit === '' || unit.length > 255) throw new UsageError('the unit must be 1-255 characters.');
      const via = values.via === undefined ? undefined : parseChoice('--via', values.via, ['usb', 'net'] as const);
      if (via !== undefined && command !== 'pair') throw new UsageError('--via is for pair only.');
      const role = parseChoice('--role', values.role ?? 'owner', ROLES);
      const dataDir = values['data-dir'];
      if (dataDir !== undefined && dataDir.trim() === '') throw new UsageError('--data-dir needs a directory.');
      if (command === 'diagnostics' && (values.output === undefined || values.output.trim() === '')) throw new UsageError('diagnostics needs -o FILE (the archive to write, e.g. unit.tar.gz).');
      if (command !== 'diagnostics' && (values.output !== undefined || values['no-pull'])) throw new UsageError('-o and --no-pull are for diagnostics only.');
      return {
        command: command as UnitArgs['command'],
        unit,
        ...(answers ? { requestId: positionals[1] } : {}),
        ...(command === 'diagnostics' ? { output: values.output, pull: !values['no-pull'] } : {}),
        ...(values.for !== undefined ? { durationS: parseSupportDuration(values.for) } : {}),
        via: via ?? null,
        role,
        dataDir,
        serialPaths: values.serial,
        mdns: !values['no-mdns'],
        findTimeoutS: values.timeout === undefined ? 5 : parseTimeout(values.timeout),
        verbose: values.verbose,
      };
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    // parseArgs errors (unknown option, missing value) have clear messages of their own.
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  throw new UsageError(`Unknown command "${command}".`);
}

/** The options `start` forwards to the Electron main process. */
export function serveArgsToArgv(a: ServeArgs): string[] {
  const out: string[] = [];
  if (a.dataDir) out.push('--data-dir', a.dataDir);
  for (const s of a.serialPaths) out.push('--serial', s);
  if (!a.mdns) out.push('--no-mdns');
  for (const addr of a.addresses) out.push('--address', addr);
  if (a.verbose) out.push('--verbose');
  return out;
}
