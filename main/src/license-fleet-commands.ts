import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DeviceEntry, LicenseStatus, UnitLicenseView } from '@pitwall/protocol';
import { parseAddress, type Companion } from './companion.js';
import { commandCompanion, pairedOnlineUnit, untilFound, UNIT_REACH_OPTIONS, type Found } from './fleet-cli.js';
import type { Io } from './session-commands.js';

/** The `pitwall license` actions of the companion (the vendor's keygen|issue|inspect|verify are elsewhere). */
export const LICENSE_FLEET_ACTIONS: ReadonlySet<string> = new Set(['install', 'status', 'revocations']);

export const LICENSE_FLEET_USAGE = `  pitwall license install FILE <unit...> [--address HOST:PORT ...] [--data-dir DIR]
      Show what a licence file is (id, scope, features, period, signer), then install it on each
      unit (paired as owner or dealer), with each unit's result.
  pitwall license status [--json] [--address HOST:PORT ...] [--data-dir DIR]
      Every known unit's licence: asked now when online, else as last reported; most urgent first.
      Exits 4, with a one-line summary on stderr, when a unit's licence is expired, revoked or invalid.
  pitwall license revocations [import FILE] [--address HOST:PORT ...] [--data-dir DIR]
      The revocation list this companion carries to its units; import a newer signed one.`;

class UsageError extends Error {}

const day = (t: string | null) => (t ? t.slice(0, 10) : '-');

/** One line for one unit's licence, as a dealer reads it. */
export function describeLicense(name: string, status: LicenseStatus | null, seenAt: number | null, online: boolean): string {
  if (!status) return `${name}: licence unknown (${online ? 'no answer' : 'never reported to this companion'})`;
  const left = status.daysLeft === null || (status.state !== 'active' && status.state !== 'grace') ? '' : `, ${status.daysLeft} day${status.daysLeft === 1 ? '' : 's'} left`;
  const features = status.licensedFeatures.length ? status.licensedFeatures.map((f) => (status.features.includes(f) ? f : `${f} (off)`)).join(' ') : 'no features';
  const clock = `${status.clock.tampered ? '; CLOCK SET BACK on the unit' : ''}${status.enforced === false ? '; licensing not enforced (simulator)' : ''}`;
  const when = online || seenAt === null ? '' : ` [as reported ${new Date(seenAt).toISOString().slice(0, 16).replace('T', ' ')} UTC]`;
  return `${name}: ${status.state}${left}; ${status.licenseId ?? 'no licence'}, until ${day(status.expires)}; ${features}; ${status.reason}${clock}${when}`;
}

/** The exit code of `license status` when a unit's licence stopped (scripts tell it from an error, 1). */
export const LICENSE_ATTENTION_EXIT = 4;
const STOPPED: ReadonlySet<LicenseStatus['state']> = new Set(['expired', 'revoked', 'invalid']);

/** "2 units have a licence that stopped: Car 1 revoked, Car 3 expired", or null when none has. */
export function licenceTrouble(views: UnitLicenseView[], names: ReadonlyMap<string, string>): string | null {
  const stopped = views.filter((v) => v.status && STOPPED.has(v.status.state));
  if (stopped.length === 0) return null;
  const list = stopped.map((v) => `${names.get(v.unitId) ?? v.unitId} ${v.status!.state}`).join(', ');
  return `${stopped.length} unit${stopped.length === 1 ? ' has' : 's have'} a licence that stopped: ${list}`;
}

const RANK: Record<LicenseStatus['state'], number> = { revoked: 0, invalid: 1, expired: 2, grace: 3, none: 4, active: 5 };
const urgency = (v: UnitLicenseView) => (v.status ? RANK[v.status.state] * 1e6 + (v.status.daysLeft ?? 0) : 1e9);

/**
 * `pitwall license install|status|revocations`. Exit 0 fine, 1 a unit refused or an import failed,
 * 2 usage, 3 unit not found, 4 (status) a unit's licence is expired, revoked or invalid.
 */
export async function runLicenseFleetCommand(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        ...UNIT_REACH_OPTIONS,
        'data-dir': { type: 'string' },
      },
    });
    const [sub, ...rest] = parsed.positionals;
    if (!sub || !LICENSE_FLEET_ACTIONS.has(sub)) throw new UsageError(`unknown licence command "${sub ?? ''}"`);
    if (sub === 'install' && rest.length < 2) throw new UsageError('pitwall license install FILE <unit...>: a licence file and at least one unit');
    if (sub === 'status' && rest.length > 0) throw new UsageError('pitwall license status takes no units: it lists every known unit');
    if (sub === 'revocations' && !(rest.length === 0 || (rest[0] === 'import' && rest.length === 2))) throw new UsageError('pitwall license revocations [import FILE]');
  } catch (err) {
    io.err(`${(err as Error).message}\n${LICENSE_FLEET_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals as [string, ...string[]];
  const companion = commandCompanion(values['data-dir'], !values['no-mdns']);
  const waitMs = (values.timeout === undefined ? 3 : Number(values.timeout)) * 1000;
  try {
    for (const a of values.address) {
      // The status of an unreachable unit is still worth showing (as last reported): there, a dead address is a note.
      const added = companion.handlers['devices:add-address']({ address: parseAddress(a).target });
      if (sub !== 'status') await added;
      else await added.catch((err: unknown) => io.err(`${(err as Error).message} (showing what it last reported)`));
    }
    if (sub === 'revocations') {
      const held = rest[0] === 'import' ? await companion.handlers['license:import-revocations']({ path: resolve(rest[1]!) }) : await companion.handlers['license:revocations']({});
      if (rest[0] === 'import') await settle(companion, waitMs);
      io.out(held ? `Carrying revocation list #${held.number}: ${held.revokedCount} revoked, issued ${held.issued}, signed by ${held.signerKeyId.slice(0, 16)}…` : 'No revocation list held.');
      return 0;
    }
    if (sub === 'status') {
      await settle(companion, waitMs);
      await companion.licenses.refresh();
      const units = new Map(companion.list().map((u) => [u.id, u]));
      const views = companion.licenses.views().sort((a, b) => urgency(a) - urgency(b));
      if (values.json) {
        // One line: the terminal writer keeps no line breaks, and JSON escapes every control character in strings.
        io.out(JSON.stringify(views.map((v) => ({ unitId: v.unitId, name: units.get(v.unitId)?.name ?? null, online: units.get(v.unitId)?.online ?? false, seenAt: v.seenAt, status: v.status }))));
      } else if (views.length === 0) io.out('No units known to this companion.');
      else for (const v of views) io.out(describeLicense(units.get(v.unitId)?.name ?? v.unitId, v.status, v.seenAt, units.get(v.unitId)?.online ?? false));
      const trouble = licenceTrouble(views, new Map([...units].map(([id, u]) => [id, u.name])));
      if (!trouble) return 0;
      io.err(trouble);
      return LICENSE_ATTENTION_EXIT;
    }
    const file = resolve(rest[0]!);
    const summary = await companion.handlers['license:inspect']({ path: file });
    const scope = 'unitId' in summary.scope ? `unit ${summary.scope.unitId}` : `model ${summary.scope.model}${summary.scope.fleet ? `, fleet ${summary.scope.fleet}` : ''}`;
    io.out(`Licence ${summary.licenseId} for ${scope}: ${summary.features.join(' ') || 'no features'}; ${day(summary.starts)} to ${day(summary.expires)} (+${summary.graceDays} days grace)`);
    io.out(`Signed by ${summary.signerKeyId.slice(0, 16)}…: ${summary.verified ? 'verified against this companion’s vendor keys' : `not verified (${summary.verifyNote ?? ''}); the units check it themselves`}`);
    const units = await findPaired(companion, rest.slice(1), waitMs);
    if ('error' in units) {
      io.err(units.error);
      return 3;
    }
    const outcomes = await companion.handlers['license:install']({ path: file, unitIds: units.found.map((u) => u.id) });
    const name = (id: string) => units.found.find((u) => u.id === id)?.name ?? id;
    for (const o of outcomes) {
      const n = name(o.unitId);
      io.out(o.ok ? `${n}: installed; ${describeLicense(n, o.status, null, true).slice(n.length + 2)}` : `${n}: refused: ${o.error ?? 'no reason given'}`);
    }
    return outcomes.every((o) => o.ok) ? 0 : 1;
  } catch (err) {
    io.err((err as Error).message);
    return 1;
  } finally {
    await companion.close();
  }
}

/** Lets discovery find the known units (until every paired one is online, or the wait ends). */
async function settle(companion: Companion, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    await companion.refresh();
    const paired = companion.list().filter((u) => u.pairing.state === 'paired');
    if ((paired.length > 0 && paired.every((u) => u.online)) || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The named units (matched as `pitwall pair` does), each paired and online. */
function findPaired(companion: Companion, names: string[], waitMs: number): Promise<Found<DeviceEntry[]>> {
  return untilFound<DeviceEntry[]>(companion, waitMs, (known) => {
    const list: DeviceEntry[] = [];
    let error: string | null = null;
    for (const n of names) {
      const m = pairedOnlineUnit(known, n);
      if ('error' in m) error = m.error;
      else list.push(m.found);
    }
    return error ? { error } : { found: list };
  });
}
