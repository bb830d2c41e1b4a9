import { parseArgs } from 'node:util';
import { CompanionError, type GroupRole, type RosterChange, type RosterEdit } from '@pitwall/protocol';
import { HubCallError, HubClient } from '@pitwall/protocol/node';
import { defaultUserDataDir, openDatabase, TeamRosters, type RosterView } from '@pitwall/app';
import { cleanText } from './discover-table.js';
import { HUB_COMMON_OPTIONS, HUB_URL_NEEDED, hubUsage, isHubUrl, readHubToken } from './hub-cli-options.js';
import type { Io } from './session-commands.js';

export const HUB_GROUPS_USAGE = `  pitwall hub groups [show [GROUP]] --hub URL [--json] [--data-dir DIR]
      The rosters of the hub's groups as this laptop holds them: members and roles, edits made
      here not yet pushed, and what merging the hub's changed here (edits made elsewhere).
  pitwall hub groups add-member GROUP MEMBER --role coach|driver|analyst --hub URL
  pitwall hub groups remove-member GROUP MEMBER --hub URL
  pitwall hub groups set-role GROUP MEMBER coach|driver|analyst --hub URL
  pitwall hub groups rename GROUP NAME --hub URL
      Edit a roster here, offline if need be; the next sync pushes it (the hub takes edits of
      the academy's admin and of the group's coaches only, and merges them with everyone's).
  pitwall hub groups discard GROUP --hub URL
      Drop this laptop's roster of GROUP, edits not pushed included; the next sync pulls the hub's.
  pitwall hub groups sync --hub URL [--token-file FILE] [--reset] [--json]
      Push the rosters edited here, pull what changed after the last sync (--reset: all) and merge.`;

const ROLES = new Set(['coach', 'driver', 'analyst']);

/** `pitwall hub groups …`. Exit 0 ok, 1 the hub refused or is out of reach, 2 usage, 3 no such roster or member here. */
export async function runHubGroupsCommand(argv: string[], io: Io): Promise<number> {
  const { usage, parse } = hubUsage(HUB_GROUPS_USAGE, io);
  const parsed = parse(() => parseArgs({ args: argv, allowPositionals: true, options: { ...HUB_COMMON_OPTIONS, role: { type: 'string' }, reset: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } }));
  if (typeof parsed === 'number') return parsed;
  const v = parsed.values;
  const [command = 'show', group, ...args] = parsed.positionals;
  if (!isHubUrl(v.hub)) return usage(HUB_URL_NEEDED);
  let edit: RosterEdit | null = null;
  const role = (r: string | undefined) => (r && ROLES.has(r) ? (r as GroupRole) : null);
  if (command === 'add-member') {
    if (!group || args.length !== 1 || !role(v.role)) return usage('add-member GROUP MEMBER --role coach|driver|analyst');
    edit = { kind: 'add', memberId: args[0]!, role: role(v.role)! };
  } else if (command === 'remove-member') {
    if (!group || args.length !== 1) return usage('remove-member GROUP MEMBER');
    edit = { kind: 'remove', memberId: args[0]! };
  } else if (command === 'set-role') {
    if (!group || args.length !== 2 || !role(args[1])) return usage('set-role GROUP MEMBER coach|driver|analyst');
    edit = { kind: 'set-role', memberId: args[0]!, role: role(args[1])! };
  } else if (command === 'rename') {
    const name = args.join(' ').trim();
    if (!group || name.length < 1 || name.length > 80) return usage('rename GROUP NAME (1 to 80 characters)');
    edit = { kind: 'rename', name };
  } else if (!['show', 'discard', 'sync'].includes(command)) {
    return usage(`hub groups has no command "${cleanText(command.slice(0, 40))}"`);
  }
  const db = openDatabase(v['data-dir'] ?? defaultUserDataDir());
  try {
    const rosters = new TeamRosters(db, v.hub);
    if (edit) return printRoster(rosters.edit(group!, edit), v.json ?? false, io), 0;
    if (command === 'discard') {
      if (!group) return usage('discard GROUP');
      rosters.discard(group);
      return io.out(`dropped this laptop's roster of ${group}; the next sync pulls the hub's`), 0;
    }
    if (command === 'show') {
      const views = group ? [rosters.show(group)] : rosters.list();
      if (v.json) return io.out(JSON.stringify(views, null, 2)), 0;
      if (views.length === 0) io.out('no rosters here yet: pitwall hub groups sync pulls them');
      for (const view of views) printRoster(view, false, io);
      return 0;
    }
    const read = await readHubToken(v['token-file']);
    if ('problem' in read) return io.err(read.problem), 2;
    const report = await rosters.sync(new HubClient(v.hub, { token: read.token }), { reset: v.reset ?? false });
    if (v.json) return io.out(JSON.stringify(report, null, 2)), 0;
    for (const g of report.pushed?.groups ?? []) io.out(`pushed ${g.groupId}: ${g.outcome}`);
    io.out(`pulled ${report.pulled} roster(s) (hub version ${report.version})`);
    for (const c of report.changes) io.out(changeLine(c));
    return 0;
  } catch (err) {
    if (err instanceof CompanionError) return io.err(cleanText(err.message)), err.code === 'not-found' ? 3 : 2;
    if (err instanceof HubCallError) return io.err(cleanText(`the hub refused or cannot be reached (nothing here changed): ${err.code}: ${err.message}`)), 1;
    throw err;
  } finally {
    db.close();
  }
}

function printRoster(view: RosterView, json: boolean, io: Io): void {
  if (json) return io.out(JSON.stringify(view, null, 2));
  io.out(cleanText(`group ${view.groupId}${view.name ? ` "${view.name}"` : ''}${view.pending ? ' (edits here not pushed yet)' : ''}`));
  for (const m of view.members) io.out(cleanText(`  ${m.role.padEnd(8)} ${m.name ?? '?'} (${m.memberId})`));
  for (const u of view.unpushed) io.out(cleanText(`  not pushed yet ${new Date(u.madeAt).toISOString()}: ${editLine(u.edit, view.names)}`));
  for (const c of view.merged) io.out(`  merged ${new Date(c.mergedAt).toISOString()}: ${changeLine(c)}`);
}

const changeLine = (c: RosterChange) =>
  cleanText(
    `${c.groupId}: ${c.change}${c.memberId ? ` ${c.memberId}` : ''} ${c.from ?? '-'} -> ${c.to ?? '-'}${c.by ? ` (edit of ${c.by}${c.atMs !== null ? ` at ${new Date(c.atMs).toISOString()}` : ''})` : ''}`,
  );

/** An edit made here as `show` prints it: what it does, members by name where the hub named them. */
const editLine = (e: RosterEdit, names: Record<string, string>) => {
  const who = (m: string) => `${names[m] ?? '?'} (${m})`;
  if (e.kind === 'add') return `add ${who(e.memberId)} as ${e.role}`;
  if (e.kind === 'remove') return `remove ${who(e.memberId)}`;
  if (e.kind === 'set-role') return `make ${who(e.memberId)} ${e.role}`;
  return `rename the group "${e.name}"`;
};
