import { parseArgs } from 'node:util';
import { ClaimCode, CompanionError, type DeviceEntry, type UnitHubRegistration } from '@pitwall/protocol';
import { HubCallError, HubClient } from '@pitwall/protocol/node';
import { defaultUserDataDir, HubRegistrar, FORWARD_CHALLENGES_MAX, type Companion, type RegistrationOutcome } from '@pitwall/app';
import { commandCompanion, pairedOnlineUnit, UNIT_REACH_OPTIONS, untilFound } from './fleet-cli.js';
import { HUB_COMMON_OPTIONS, HUB_URL_NEEDED, hubUsage, isHubUrl, readHubToken } from './hub-cli-options.js';
import type { Io } from './session-commands.js';

export const HUB_REGISTER_COMMANDS: ReadonlySet<string> = new Set(['register', 'forward', 'challenges']);

export const HUB_REGISTER_USAGE = `  pitwall hub register --hub URL --unit UNIT [--claim-code CODE] [--forward] [--address HOST:PORT ...] [--no-mdns] [--data-dir DIR]
      Register a paired unit (owner or dealer) with the hub: the unit signs with its own key, the
      hub's signed record goes back to the unit. A claim code from a dealer puts it in an academy.
      --forward (at the track, offline): the unit signs for a challenge fetched earlier and the
      request waits in this companion's outbox; run the same command at the next contact to
      bring the hub's record to the unit. A record waiting for the unit is always delivered first.
  pitwall hub forward --hub URL [--data-dir DIR]
      Send the outbox's signed requests to the hub; each answer is checked and kept for its unit.
  pitwall hub challenges --hub URL --count N [--token-file FILE] [--data-dir DIR]
      While online, before a track day: pin the hub's key and fetch N forward challenges (one per
      unit to register offline; a member's token: FILE's first line, PITWALL_HUB_TOKEN or stdin).`;

const claimCode = new RegExp(ClaimCode.pattern!);

/** `pitwall hub register|forward|challenges`. Exit 0 ok, 1 refused or out of reach, 2 usage, 3 unit not found. */
export async function runHubRegisterCommand(argv: string[], io: Io): Promise<number> {
  const { usage, parse } = hubUsage(HUB_REGISTER_USAGE, io);
  const parsed = parse(() =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...HUB_COMMON_OPTIONS, unit: { type: 'string' }, 'claim-code': { type: 'string' }, forward: { type: 'boolean', default: false }, count: { type: 'string' }, ...UNIT_REACH_OPTIONS },
    }),
  );
  if (typeof parsed === 'number') return parsed;
  const v = parsed.values;
  const [sub, ...rest] = parsed.positionals;
  if (rest.length) return usage(`unexpected argument "${rest[0]}"`);
  if (!isHubUrl(v.hub)) return usage(HUB_URL_NEEDED);
  if (sub === 'register' && !v.unit) return usage('--unit UNIT (a paired unit: id, name or address) is needed');
  const code = v['claim-code'];
  if (code !== undefined && !claimCode.test(code)) return usage('--claim-code must be four groups of four (XXXX-XXXX-XXXX-XXXX), as the dealer gave it');
  if (sub === 'challenges' && !/^[1-9]\d{0,3}$/.test(v.count ?? '')) return usage(`--count N (1 to ${FORWARD_CHALLENGES_MAX}) is needed`);
  const dataDir = v['data-dir'] ?? defaultUserDataDir();
  try {
    if (sub === 'challenges') return await challenges(dataDir, v.hub!, Number(v.count), v['token-file'], io);
    if (sub === 'forward') return await forward(new HubRegistrar(dataDir, noUnit), new HubClient(v.hub!), io);
    return await register(dataDir, { hub: v.hub!, unit: v.unit!, claimCode: v['claim-code'], forward: v.forward, addresses: v.address, mdns: !v['no-mdns'], waitS: v.timeout === undefined ? 5 : Number(v.timeout) }, io);
  } catch (err) {
    if (err instanceof HubCallError) return io.err(`the hub refused or cannot be reached: ${err.code}: ${err.message}`), 1;
    if (err instanceof CompanionError) return io.err(err.message), err.code === 'not-found' ? 3 : 1;
    throw err;
  }
}

const noUnit = {
  callRoute: () => Promise.reject(new CompanionError('internal', 'no unit is reached by this command')),
};

async function challenges(dataDir: string, url: string, count: number, tokenFile: string | undefined, io: Io): Promise<number> {
  const read = await readHubToken(tokenFile);
  if ('problem' in read) return io.err(read.problem), 2;
  const got = await new HubRegistrar(dataDir, noUnit).fetchChallenges(new HubClient(url, { token: read.token }), count);
  io.out(`hub ${url} (key ${got.hubKey}): ${got.held} forward challenge(s) held for units registered offline`);
  return 0;
}

async function forward(registrar: HubRegistrar, hub: HubClient, io: Io): Promise<number> {
  const results = await registrar.forward(hub);
  if (results.length === 0) io.out('the outbox holds no request');
  for (const r of results) io.out(`${r.unitId}: ${r.outcome}${r.reason ? ` (${r.reason})` : ''}${r.outcome === 'registered' ? '; the record goes to the unit at its next pitwall hub register' : ''}`);
  return results.some((r) => r.outcome === 'refused') ? 1 : 0;
}

interface RegisterArgs {
  hub: string;
  unit: string;
  claimCode: string | undefined;
  forward: boolean;
  addresses: string[];
  mdns: boolean;
  waitS: number;
}

async function register(dataDir: string, a: RegisterArgs, io: Io): Promise<number> {
  const companion = commandCompanion(dataDir, a.mdns);
  try {
    for (const address of a.addresses) await companion.handlers['devices:add-address']({ address });
    const unit = await findPaired(companion, a.unit, a.waitS * 1000);
    const registrar = new HubRegistrar(dataDir, companion.channels);
    const hub = new HubClient(a.hub);
    if (await registrar.undelivered(unit.id)) {
      const view = await registrar.deliver(unit.id);
      io.out(`${unit.name}: brought the hub's record to the unit; ${describe(view)}`);
      return 0;
    }
    if (!a.forward) {
      const outcome = await registrar.registerLive(hub, unit.id, a.claimCode);
      io.out(`${unit.name}: ${outcomeLine(outcome, a.hub)}`);
      return 0;
    }
    await registrar.signForForward(a.hub, unit.id, a.claimCode);
    const [sent] = (await registrar.forward(hub)).filter((r) => r.unitId === unit.id);
    if (sent?.outcome === 'registered') {
      const view = await registrar.deliver(unit.id);
      io.out(`${unit.name}: the hub was reachable after all; ${describe(view)}`);
      return 0;
    }
    if (sent?.outcome === 'refused') return io.err(`${unit.name}: the hub refused the request: ${sent.reason ?? ''}`), 1;
    io.out(`${unit.name}: signed; the request waits in this companion's outbox (${sent?.reason ?? 'hub out of reach'}). Online: pitwall hub forward --hub ${a.hub}; then at the unit: pitwall hub register --hub ${a.hub} --unit ${a.unit}`);
    return 0;
  } finally {
    await companion.close();
  }
}

function outcomeLine(o: RegistrationOutcome, url: string): string {
  const owner = o.record.owner ? `owner ${o.record.owner.name}` : 'no owner organisation yet';
  return `registered with hub ${url} (${owner}, registered ${o.record.registeredAt}); ${describe(o.unit)}`;
}

function describe(view: UnitHubRegistration | null): string {
  const r = view?.records[0];
  if (!r) return 'the unit holds no record yet';
  return `the unit holds the record of hub ${r.hubKey}${r.record.owner ? `, owner ${r.record.owner.name}` : ''}`;
}

/** The named unit, paired here and online (waits for discovery up to `waitMs`). */
async function findPaired(companion: Companion, name: string, waitMs: number): Promise<DeviceEntry> {
  const r = await untilFound(companion, waitMs, (known) => pairedOnlineUnit(known, name));
  if ('error' in r) throw new CompanionError('not-found', r.error);
  return r.found;
}
