import { parseArgs } from 'node:util';
import { CompanionError } from '@pitwall/protocol';
import { HubCallError, HubClient } from '@pitwall/protocol/node';
import { defaultUserDataDir, loadTracks, memberGroupsForSync, openDatabase, OwnTracks, resolveSyncGroups, SessionStore, shareSessions, syncHubGroups, type SyncGroup } from '@pitwall/app';
import { cleanText } from './discover-table.js';
import { HUB_COMMON_OPTIONS, HUB_URL_NEEDED, hubUsage, isHubUrl, readHubToken } from './hub-cli-options.js';
import { HUB_GROUPS_USAGE, runHubGroupsCommand } from './hub-group-commands.js';
import type { Io } from './session-commands.js';
import { HUB_REGISTER_COMMANDS, HUB_REGISTER_USAGE, runHubRegisterCommand } from './hub-register-commands.js';

export const HUB_USAGE = `  pitwall hub sync --hub URL [--group ID|NAME ...] [--share SESSION ...] [--token-file FILE] [--json] [--data-dir DIR]
      Share the given sessions of this store (laps and sector times) with your groups, then bring
      the groups' sessions into the store, from where the last sync stopped, so the Fleet screen
      has them offline. Without --group: every group you are in (as the hub says now, or as it
      last said when it cannot be reached); sessions go to those you drive in. --group narrows
      it, by id or by the group's name. The member token: the first line of FILE, else
      PITWALL_HUB_TOKEN, else stdin.
${HUB_REGISTER_USAGE}
${HUB_GROUPS_USAGE}`;

const HUB_ID = /^[0-9a-f]{32}$/;

/** `pitwall hub sync` (and `pitwall hub groups`, hub-group-commands.ts). Exit 0 ok, 1 the hub refused or is out of reach, 2 usage or a group name that is unknown or ambiguous, 3 a session not in the store. */
export async function runHubCommand(argv: string[], io: Io): Promise<number> {
  if (HUB_REGISTER_COMMANDS.has(argv[0] ?? '')) return runHubRegisterCommand(argv, io);
  if (argv[0] === 'groups') return runHubGroupsCommand(argv.slice(1), io);
  const { usage, parse } = hubUsage(HUB_USAGE, io);
  const parsed = parse(() => parseArgs({ args: argv, allowPositionals: true, options: { ...HUB_COMMON_OPTIONS, group: { type: 'string', multiple: true }, share: { type: 'string', multiple: true }, json: { type: 'boolean', default: false } } }));
  if (typeof parsed === 'number') return parsed;
  const v = parsed.values;
  if (parsed.positionals.join(' ') !== 'sync') return usage('hub takes one command: sync, groups, register, forward or challenges');
  if (!isHubUrl(v.hub)) return usage(HUB_URL_NEEDED);
  const words = v.group ?? [];
  const bad = words.find((g) => g.trim() === '');
  if (bad !== undefined) return usage('--group takes a group id or name');
  const read = await readHubToken(v['token-file']);
  if ('problem' in read) return io.err(read.problem), 2;
  const hub = new HubClient(v.hub, { token: read.token });
  const db = openDatabase(v['data-dir'] ?? defaultUserDataDir());
  try {
    const tracks = [...loadTracks(), ...new OwnTracks(db).list()];
    const store = new SessionStore(db, () => tracks);
    const shares = v.share ?? [];
    // Every session is checked against the store before the hub is asked anything.
    for (const ref of shares) if (!store.resolve(ref)) return io.err(`no session "${cleanText(ref.slice(0, 80))}" in this store (pitwall sessions lists them)`), 3;
    // The member's groups: the hub's, else the last seen here; ids alone need none (out of reach and never synced included).
    const idsOnly = words.length > 0 && words.every((w) => HUB_ID.test(w));
    const seen = await memberGroupsForSync(db, hub).catch((err: unknown) => {
      if (idsOnly && err instanceof CompanionError && err.code === 'unreachable') return { groups: [], seenAt: null };
      throw err;
    });
    if (seen.seenAt !== null) io.err(`the hub cannot be reached: your groups as it last said them (${new Date(seen.seenAt).toISOString()})`);
    const groups = words.length ? resolveSyncGroups(words, seen.groups) : seen.groups;
    // Without --group a session goes to the groups the member drives in (only a group's drivers share with it).
    const shareTo = words.length ? groups : groups.filter((g) => g.role === 'driver');
    if (shares.length && shareTo.length === 0) return io.err('you drive in none of your groups on this hub: there is no group to share sessions with'), 2;
    const shared = shares.length ? await shareSessions(store, hub, shares, shareTo.map((g) => g.groupId)) : [];
    const synced = await syncHubGroups(db, hub, groups.map((g) => g.groupId));
    if (v.json) return io.out(JSON.stringify({ shared, synced: synced.map((s) => ({ ...s, name: nameOf(groups, s.groupId) })) })), 0;
    if (groups.length === 0) io.out('you are in no group on this hub: nothing to sync');
    for (const s of shared) io.out(`shared ${s.sessionId} (${s.laps} laps) with ${shareTo.length} group(s): ${shareTo.map(label).join(', ')}`);
    for (const g of synced) io.out(`group ${label(groups.find((x) => x.groupId === g.groupId)!)}: ${g.changed} session(s) new or changed`);
    return 0;
  } catch (err) {
    if (err instanceof CompanionError) return io.err(cleanText(err.message)), err.code === 'not-found' ? 3 : err.code === 'unreachable' ? 1 : 2;
    if (err instanceof HubCallError) return io.err(`the hub refused or cannot be reached: ${err.code}: ${err.message}`), 1;
    throw err;
  } finally {
    db.close();
  }
}

const nameOf = (groups: SyncGroup[], groupId: string) => groups.find((g) => g.groupId === groupId)?.name ?? null;
/** A group as printed: its name (a peer's words, cleaned) and id, or the id alone when the hub did not name it. */
const label = (g: SyncGroup) => (g.name === null ? g.groupId : cleanText(`"${g.name}" (${g.groupId})`));
