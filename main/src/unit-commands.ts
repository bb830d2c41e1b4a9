import { resolve } from 'node:path';
import type { DeviceEntry, MethodParams, MethodResult, Operator } from '@pitwall/protocol';
import { CompanionError } from '@pitwall/protocol';
import { createCompanion, defaultUserDataDir, parseAddress, type Companion } from './companion.js';
import type { UnitArgs } from './cli-args.js';
import { runWifi } from './wifi-cli.js';

/** Exit statuses of pair / operators / unpair / requests / approve / deny. */
export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3, refused: 4, keyChanged: 5 } as const;

export interface UnitCommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Polling period and the pairing wait (tests shorten them). */
  pollMs?: number;
  pairWaitS?: number;
  /** A password: prompted without echo, or read from stdin (wifi add). */
  secret?(prompt: string): Promise<string>;
}

const looksLikePath = (s: string) => s.startsWith('/') || /^[A-Za-z]:\\|^COM\d+$/i.test(s);

/** Finds the unit a person named: exact id, unique id prefix (4+), name, address target or serial path. */
export function matchUnit(units: DeviceEntry[], query: string): { unit: DeviceEntry } | { error: string } {
  const q = query.trim();
  const lower = q.toLowerCase();
  const exact = units.find((u) => u.id === lower);
  if (exact) return { unit: exact };
  const byLink = units.filter((u) => u.links.some((l) => l.target === q || (() => {
    try {
      return l.kind !== 'usb' && l.target === parseAddress(q).target;
    } catch {
      return false;
    }
  })()));
  if (byLink.length === 1) return { unit: byLink[0]! };
  const byName = units.filter((u) => u.name.toLowerCase() === lower);
  if (byName.length === 1) return { unit: byName[0]! };
  if (byName.length > 1) return { error: `${byName.length} units are named "${q}": use the unit id instead (${byName.map((u) => u.id.slice(0, 8)).join(', ')})` };
  if (lower.length >= 4 && /^[0-9a-f-]+$/.test(lower)) {
    const byPrefix = units.filter((u) => u.id.startsWith(lower));
    if (byPrefix.length === 1) return { unit: byPrefix[0]! };
    if (byPrefix.length > 1) return { error: `the id prefix "${q}" matches ${byPrefix.length} units: give more of the id` };
  }
  return { error: `no unit "${q}" found (known: ${units.map((u) => u.name).join(', ') || 'none'})` };
}

function exitFor(err: unknown): number {
  if (!(err instanceof CompanionError)) return EXIT.failed;
  if (err.code === 'key-changed' || err.code === 'conflict') return EXIT.keyChanged;
  if (err.code === 'forbidden' || err.code === 'not-paired' || err.code === 'pairing-closed') return EXIT.refused;
  if (err.code === 'not-found') return EXIT.notFound;
  return EXIT.failed;
}

/** `pitwall pair|operators|unpair|diagnostics|requests|approve|deny|tracks push|wifi <unit>`: runs the companion core briefly against the data directory. */
export async function runUnitCommand(args: UnitArgs, io: UnitCommandIo): Promise<number> {
  const pollMs = io.pollMs ?? 1000;
  const serialPaths = [...args.serialPaths];
  if (looksLikePath(args.unit)) serialPaths.push(args.unit);
  const companion: Companion = createCompanion({
    dataDir: args.dataDir ?? defaultUserDataDir(),
    serialPaths,
    mdns: args.mdns,
    hotplug: false,
    pollIntervalMs: 500,
    events: () => undefined,
    log: args.verbose ? (m) => io.err(m) : undefined,
  });
  try {
    if (!looksLikePath(args.unit) && /[:.]/.test(args.unit)) {
      try {
        parseAddress(args.unit);
        await companion.handlers['devices:add-address']({ address: args.unit });
      } catch (err) {
        if (err instanceof CompanionError && err.code !== 'bad-address') throw err;
      }
    }
    const unit = await findUnit(companion, args, pollMs);
    if ('error' in unit) {
      io.err(unit.error);
      return EXIT.notFound;
    }
    const { id, name } = unit.unit;
    if (args.command === 'diagnostics') {
      const out = resolve(args.output!);
      const pull = args.pull !== false && unit.unit.online && unit.unit.pairing.state === 'paired';
      if (args.pull !== false && !pull) io.err(`${name} is ${unit.unit.online ? 'not paired here' : 'offline'}: exporting what this companion already stored.`);
      const result = await companion.exportDiagnosticsTo(id, out, pull);
      io.out(`Wrote ${out} (${Math.round(result.bytes / 1024)} KB): ${result.logs} log records, ${result.health} health snapshots, ${result.crashes} crash dumps.`);
      if (result.auditRotatedAway > 0) io.out(`The unit had already rotated away its ${result.auditRotatedAway} oldest audit record(s): it keeps its audit log bounded by size.`);
      if (result.auditLog === 'not-served') io.out('The unit does not serve its audit log; the archive notes that.');
      if (result.auditLog === 'unavailable') io.out('The audit log is not included (unit offline, or this companion is not its owner); the archive notes why.');
      return EXIT.ok;
    }
    if (args.command === 'wifi') {
      const secret = io.secret ?? (() => Promise.reject(new Error('no way to read a password here')));
      return await runWifi(companion.handlers, id, name, args.wifi!, { out: io.out, secret });
    }
    if (args.command === 'tracks-push') {
      const pushed = await companion.handlers['tracks:push']({ unitId: id });
      io.out(`${name} (${id}) now holds ${pushed.tracks} own track${pushed.tracks === 1 ? '' : 's'} from this companion; it times them from its next start.`);
      return EXIT.ok;
    }
    if (args.command === 'support-on' || args.command === 'support-off' || args.command === 'support-status') {
      const s =
        args.command === 'support-on'
          ? await companion.handlers['support:on']({ id, ...(args.durationS === undefined ? {} : { durationS: args.durationS }) })
          : await companion.handlers[args.command === 'support-off' ? 'support:off' : 'support:status']({ id });
      printSupport(s, name, id, io);
      return EXIT.ok;
    }
    if (args.command === 'operators') return printOperators(await companion.handlers['pairing:operators']({ id }), io);
    if (args.command === 'requests') return printRequests(await companion.handlers['pairing:requests']({ id }), id, name, io);
    if (args.command === 'approve') {
      const op = await companion.handlers['pairing:approve']({ id, requestId: args.requestId! });
      io.out(`Approved request ${args.requestId}: "${op.name}", key ${op.fingerprint}, is now an owner of ${name} (${id}).`);
      io.out('It becomes an owner here once it pairs again (the same pair command, role owner).');
      return EXIT.ok;
    }
    if (args.command === 'deny') {
      await companion.handlers['pairing:deny']({ id, requestId: args.requestId! });
      io.out(`Denied request ${args.requestId} on ${name} (${id}): nothing was paired.`);
      return EXIT.ok;
    }
    if (args.command === 'unpair') {
      await companion.handlers['pairing:unpair']({ id });
      io.out(`Unpaired ${name} (${id}): its key is no longer pinned here.`);
      return EXIT.ok;
    }
    const usb = unit.unit.links.some((l) => l.kind === 'usb' && l.online);
    const via = args.via ?? (usb ? 'usb' : 'net');
    // Both keys before and after: whoever pairs can check them against what the unit's owner sees.
    const me = await companion.handlers['operator:identity']({});
    io.out(`This companion: ${me.name}, key ${me.fingerprint}`);
    if (unit.unit.pairing.seenFingerprint) io.out(`Unit key as discovered: ${unit.unit.pairing.seenFingerprint}`);
    const result = await pairWithWindow(companion, { id, via, role: args.role }, name, io, pollMs);
    io.out(`Paired with ${name} (${id}) as ${result.role} over ${via === 'usb' ? 'USB' : 'the network'}.`);
    io.out(`Unit key (pinned): ${result.unitFingerprint}`);
    io.out(`This companion's key (registered on the unit): ${result.operatorFingerprint}`);
    return EXIT.ok;
  } catch (err) {
    io.err(err instanceof Error ? err.message : String(err));
    return exitFor(err);
  } finally {
    await companion.close();
  }
}

function printSupport(s: MethodResult<'support:status'>, name: string, id: string, io: UnitCommandIo): void {
  if (!s.on) {
    io.out(`Support mode is off on ${name} (${id}).${s.lastError ? ` Last problem: ${s.lastError}` : ''}`);
    return;
  }
  const left = s.remainingS >= 3600 ? `${Math.floor(s.remainingS / 3600)} h ${Math.round((s.remainingS % 3600) / 60)} min` : `${Math.ceil(s.remainingS / 60)} min`;
  io.out(`Support mode is on on ${name} (${id}), by the ${s.by === 'switch' ? 'support switch' : 'owner'}: ${left} left (until ${s.expiresAt}).`);
  io.out(`Tunnel: ${s.tunnel}${s.relay ? ` to ${s.relay.user}@${s.relay.host}:${s.relay.port}, listening on the relay's 127.0.0.1:${s.relay.listenPort}` : ''}${s.lastError ? ` (${s.lastError})` : ''}`);
  if (s.relay && s.supportKey) {
    io.out('On the relay, authorise the unit\'s key (once per support session):');
    io.out(`  echo '${s.supportKey}' | register-unit-key.sh add --unit ${id} --port ${s.relay.listenPort} --until ${s.expiresAt}`);
  }
  if (s.exportHostKey && s.relay) io.out(`Export host key (pin it as [127.0.0.1]:${s.relay.listenPort}): ${s.exportHostKey}`);
}

async function findUnit(companion: Companion, args: UnitArgs, pollMs: number): Promise<{ unit: DeviceEntry } | { error: string }> {
  const deadline = Date.now() + args.findTimeoutS * 1000;
  let last: { unit: DeviceEntry } | { error: string } = { error: `no unit "${args.unit}" found` };
  for (;;) {
    await companion.refresh();
    last = matchUnit(companion.list(), args.unit);
    const wantsLink = args.command !== 'unpair';
    if ('unit' in last && (!wantsLink || last.unit.online)) return last;
    if (Date.now() > deadline) {
      if ('unit' in last) return args.command === 'unpair' || args.command === 'diagnostics' ? last : { error: `${last.unit.name} is known but offline: no link to it answers` };
      return last;
    }
    await new Promise((r) => setTimeout(r, Math.min(pollMs, 500)));
  }
}

/**
 * Pairs; over the network with a closed window it asks once anyway (a key an owner approved pairs
 * without a press), then waits for the button and asks again.
 */
async function pairWithWindow(companion: Companion, params: MethodParams<'pairing:pair'>, name: string, io: UnitCommandIo, pollMs: number): Promise<MethodResult<'pairing:pair'>> {
  if (params.via === 'net' && !(await companion.handlers['pairing:window']({ id: params.id })).open) {
    try {
      return await companion.handlers['pairing:pair'](params);
    } catch (err) {
      if (!(err instanceof CompanionError) || err.code !== 'pairing-closed') throw err;
    }
    await waitForWindow(companion, params.id, name, io, pollMs);
  }
  return companion.handlers['pairing:pair'](params);
}

/** Prints the countdown while the unit's pairing window is closed; returns once it is open. */
async function waitForWindow(companion: Companion, id: string, name: string, io: UnitCommandIo, pollMs: number): Promise<void> {
  const first = await companion.handlers['pairing:window']({ id });
  if (first.open) return;
  io.out(`Press the pairing button on the unit now (${name}). Waiting up to 120 s…`);
  const deadline = Date.now() + 120_000;
  let lastShown = -1;
  for (;;) {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) throw new CompanionError('pairing-closed', `${name}'s pairing button was not pressed within 120 s. Press the pairing button on the unit, then try again within 2 minutes.`);
    const window = await companion.handlers['pairing:window']({ id });
    if (window.open) {
      io.out(`Pairing window open (${window.closesInS === null ? '' : `${Math.floor(window.closesInS)} s left`}); pairing…`);
      return;
    }
    if (left % 10 === 0 && left !== lastShown) {
      io.out(`  ${left} s left`);
      lastShown = left;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

function printOperators(ops: Operator[], io: UnitCommandIo): number {
  if (ops.length === 0) {
    io.out('No operators.');
    return EXIT.ok;
  }
  const rows = ops.map((o) => [o.role, o.revokedAt ? `revoked ${o.revokedAt}` : 'active', o.via, o.fingerprint, JSON.stringify(o.name).slice(1, -1)]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) io.out(r.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c)).join('  '));
  return EXIT.ok;
}

/** Pending owner requests: id, requested role, the requester's key, age; the unit's key above to compare. */
function printRequests(list: MethodResult<'pairing:requests'>, id: string, name: string, io: UnitCommandIo): number {
  io.out(`Unit key (pinned): ${list.unitFingerprint}`);
  if (list.requests.length === 0) {
    io.out(`No pending requests to become an owner of ${name}.`);
    return EXIT.ok;
  }
  const now = Date.now();
  for (const r of list.requests) {
    const age = Math.max(0, Math.round((now - Date.parse(r.requestedAt)) / 1000));
    const left = Math.max(0, Math.round((Date.parse(r.expiresAt) - now) / 1000));
    io.out(`${r.id}  owner  ${r.operatorFingerprint}  ${formatAge(age)} ago (expires in ${formatAge(left)})  ${JSON.stringify(r.operatorName).slice(1, -1)}`);
  }
  io.out(`Approve with \`pitwall approve ${id.slice(0, 8)} <id>\`, or refuse with \`pitwall deny ${id.slice(0, 8)} <id>\`, once the requester's key matches what its companion shows.`);
  return EXIT.ok;
}

const formatAge = (s: number) => (s < 90 ? `${s} s` : `${Math.round(s / 60)} min`);
