import { parseArgs } from 'node:util';
import { CompanionError } from '@pitwall/protocol';
import { HubCallError, HubClient } from '@pitwall/protocol/node';
import { defaultUserDataDir, loadTracks, openDatabase, OwnTracks, SessionStore, shareSessions, syncHubGroups } from '@pitwall/app';
import { HUB_COMMON_OPTIONS, HUB_URL_NEEDED, isHubUrl, readHubToken } from './hub-cli-options.js';
import { HUB_GROUPS_USAGE, runHubGroupsCommand } from './hub-group-commands.js';
import type { Io } from './session-commands.js';
import { HUB_REGISTER_COMMANDS, HUB_REGISTER_USAGE, runHubRegisterCommand } from './hub-register-commands.js';

export const HUB_USAGE = `  pitwall hub sync --hub URL --group ID [--group ID ...] [--share SESSION ...] [--token-file FILE] [--json] [--data-dir DIR]
      Share the given sessions of this store (laps and sector times) with the groups, then bring
      the groups' sessions into the store, from where the last sync stopped, so the Fleet screen
      has them offline. The member token: the first line of FILE, else PITWALL_HUB_TOKEN, else stdin.
${HUB_REGISTER_USAGE}
${HUB_GROUPS_USAGE}`;

const HUB_ID = /^[0-9a-f]{32}$/;

/** `pitwall hub sync` (and `pitwall hub groups`, hub-group-commands.ts). Exit 0 ok, 1 the hub refused or is out of reach, 2 usage, 3 a session not in the store. */
export async function runHubCommand(argv: string[], io: Io): Promise<number> {
  if (HUB_REGISTER_COMMANDS.has(argv[0] ?? '')) return runHubRegisterCommand(argv, io);
  if (argv[0] === 'groups') return runHubGroupsCommand(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...HUB_COMMON_OPTIONS,
        group: { type: 'string', multiple: true },
        share: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    return io.err(`${(err as Error).message}\n\n${HUB_USAGE}`), 2;
  }
  const v = parsed.values;
  const usage = (why: string) => (io.err(`${why}\n\n${HUB_USAGE}`), 2);
  if (parsed.positionals.join(' ') !== 'sync') return usage('hub takes one command: sync, groups, register, forward or challenges');
  if (!isHubUrl(v.hub)) return usage(HUB_URL_NEEDED);
  const groups = v.group ?? [];
  if (groups.length === 0) return usage('at least one --group ID is needed');
  const bad = groups.find((g) => !HUB_ID.test(g));
  if (bad !== undefined) return usage(`"${bad}" is not a group id (32 hex digits)`);
  const read = await readHubToken(v['token-file']);
  if ('problem' in read) return io.err(read.problem), 2;
  const hub = new HubClient(v.hub, { token: read.token });
  const db = openDatabase(v['data-dir'] ?? defaultUserDataDir());
  try {
    const tracks = [...loadTracks(), ...new OwnTracks(db).list()];
    const store = new SessionStore(db, () => tracks);
    const shared = v.share?.length ? await shareSessions(store, hub, v.share, groups) : [];
    const synced = await syncHubGroups(db, hub, groups);
    if (v.json) return io.out(JSON.stringify({ shared, synced })), 0;
    for (const s of shared) io.out(`shared ${s.sessionId} (${s.laps} laps) with ${groups.length} group(s)`);
    for (const g of synced) io.out(`group ${g.groupId}: ${g.changed} session(s) new or changed`);
    return 0;
  } catch (err) {
    if (err instanceof CompanionError) return io.err(err.message), err.code === 'not-found' ? 3 : 2;
    if (err instanceof HubCallError) return io.err(`the hub refused or cannot be reached: ${err.code}: ${err.message}`), 1;
    throw err;
  } finally {
    db.close();
  }
}
