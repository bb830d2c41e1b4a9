import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DeviceEntry } from '@pitwall/protocol';
import { parseAddress, type Companion } from './companion.js';
import type { FleetPushProgress, UnitUpdateState } from '@pitwall/app';
import { commandCompanion, pairedUnit, untilFound, UNIT_REACH_OPTIONS, type Found } from './fleet-cli.js';
import type { Io } from './session-commands.js';

export const UPDATE_USAGE = `  pitwall update push BUNDLE <unit...|--all> [--no-watch] [--address HOST:PORT ...] [--data-dir DIR]
      Push a signed bundle to paired units at once (offline), with progress per unit and overall;
      then follow each through trying to committed or rolled back (--no-watch: stop once installed).
  pitwall update status [<unit...>] [--address HOST:PORT ...] [--data-dir DIR]
      Each paired unit's update: operation, both slots' versions, last error.`;

class UsageError extends Error {}

const pct = (f: number) => `${Math.floor(f * 100)}%`;

function describeState(name: string, s: UnitUpdateState): string {
  if (!s.status) return `${name}: no answer (${s.unreachable ?? 'not asked'})`;
  const st = s.status;
  const slots = `A ${st.slots.A.version ?? '-'} (${st.slots.A.status}), B ${st.slots.B.version ?? '-'} (${st.slots.B.status})`;
  const why = st.operation === 'rolled-back' || st.operation === 'failed' ? `: ${st.lastError ?? st.bootFailures.at(-1) ?? 'no reason given'}` : '';
  return `${name}: ${st.operation}${st.targetVersion ? ` ${st.targetVersion}` : ''}${why}; booted ${st.booted ?? st.active}; slots ${slots}`;
}

/** `pitwall update push|status`. Exit 0 all fine, 1 a unit refused or rolled back, 2 usage, 3 unit not found. */
export async function runUpdateCommand(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        all: { type: 'boolean', default: false },
        'no-watch': { type: 'boolean', default: false },
        ...UNIT_REACH_OPTIONS,
        'data-dir': { type: 'string' },
      },
    });
    const [sub, ...rest] = parsed.positionals;
    if (sub !== 'push' && sub !== 'status') throw new UsageError(sub ? `unknown update command "${sub}"` : 'push or status?');
    if (sub === 'push' && rest.length < 1) throw new UsageError('which bundle? pitwall update push BUNDLE <unit...|--all>');
    if (sub === 'push' && rest.length < 2 && !parsed.values.all) throw new UsageError('to which units? name them, or --all for every paired unit');
    if (sub === 'push' && rest.length > 1 && parsed.values.all) throw new UsageError('name units or give --all, not both');
  } catch (err) {
    io.err(`${(err as Error).message}\n${UPDATE_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals as [string, ...string[]];
  const companion = commandCompanion(values['data-dir'], !values['no-mdns']);
  try {
    for (const a of values.address) await companion.handlers['devices:add-address']({ address: parseAddress(a).target });
    const findS = values.timeout === undefined ? 3 : Number(values.timeout);
    const units = await findUnits(companion, sub === 'push' ? rest.slice(1) : rest, findS * 1000);
    if ('error' in units) {
      io.err(units.error);
      return 3;
    }
    const name = (id: string) => units.found.find((u) => u.id === id)?.name ?? id;
    const ids = units.found.map((u) => u.id);
    if (sub === 'status') {
      for (const s of await companion.updates.status(ids)) io.out(describeState(name(s.unitId), s));
      return 0;
    }
    const file = resolve(rest[0]!);
    io.out(`Pushing ${file} to ${ids.length} unit${ids.length === 1 ? '' : 's'}: ${ids.map(name).join(', ')}`);
    let shown = '';
    const pushed = await companion.updates.push({
      unitIds: ids,
      file,
      onProgress: (p: FleetPushProgress) => {
        const line = `overall ${pct(p.overall)} | ${p.units.map((u) => `${name(u.unitId)} ${u.phase === 'sending' ? pct(u.sent / Math.max(1, u.total)) : u.phase}`).join(' | ')}`;
        if (line !== shown) io.out((shown = line));
      },
    });
    for (const u of pushed.units) io.out(u.phase === 'installed' ? `${name(u.unitId)}: installed ${u.status?.targetVersion ?? ''} in slot ${u.status?.target ?? '?'}; rebooting into it` : `${name(u.unitId)}: refused: ${u.error ?? 'no reason given'}`);
    const installed = pushed.units.filter((u) => u.phase === 'installed').map((u) => u.unitId);
    let failed = pushed.units.length - installed.length;
    if (values['no-watch'] || installed.length === 0) return failed > 0 ? 1 : 0;
    io.out('Following the installed units to committed or rolled back…');
    let last = '';
    const final = await companion.updates.watch({
      unitIds: installed,
      onState: (states) => {
        const line = states.map((s) => `${name(s.unitId)} ${s.status?.operation ?? 'rebooting'}`).join(' | ');
        if (line !== last) io.out((last = line));
      },
    });
    for (const s of final) {
      io.out(describeState(name(s.unitId), s));
      if (s.status?.operation !== 'committed') failed++;
    }
    return failed > 0 ? 1 : 0;
  } catch (err) {
    io.err((err as Error).message);
    return 1;
  } finally {
    await companion.close();
  }
}

/** The named units (each matched as `pitwall pair` does, paired), or every paired unit online. */
function findUnits(companion: Companion, names: string[], waitMs: number): Promise<Found<DeviceEntry[]>> {
  return untilFound<DeviceEntry[]>(companion, waitMs, (known) => {
    const result: DeviceEntry[] = [];
    let error: string | null = null;
    if (names.length === 0) result.push(...known.filter((u) => u.pairing.state === 'paired' && u.online));
    for (const n of names) {
      const m = pairedUnit(known, n);
      if ('error' in m) error = m.error;
      else result.push(m.found);
    }
    return !error && result.length > 0 ? { found: result } : { error: error ?? 'no paired unit is online' };
  });
}
