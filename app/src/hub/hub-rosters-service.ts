import { CompanionError, type HubRoster, type HubRosterMerged, type HubRostersStatus, type MethodParams, type RosterChange, type RosterEdit } from '@pitwall/protocol';
import { HubClient } from '@pitwall/protocol/node';
import type { Db } from '../store/database.js';
import { hubErrorCode, hubKeyOf, hubProblem, keyChangedSentence, memberGroupsOf } from './hub-link.js';
import { HubState, type HubLinkRow } from './hub-state.js';
import { TeamRosters, type RosterView } from './team-rosters.js';

export interface HubRostersServiceOptions {
  db: Db;
  /** The connected hub (its key pinned by `hub:connect`) and the member token. */
  link: () => Promise<{ link: HubLinkRow | null; token: string | null }>;
  /** Called with the fingerprint of another key than the pinned one the hub showed. */
  keyPresented?: (fingerprint: string) => void;
  timeoutMs?: number;
}

/** The most merged changes shown per group (the store keeps them all; `pitwall hub groups show` prints them). */
const MERGED_SHOWN = 50;

const when = (ms: number | null) => (ms === null ? '' : ` (${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC)`);
const from = (by: string | null) => (by === null ? 'An edit made elsewhere' : by === 'hub' ? 'The hub (an edit made online)' : `Laptop ${by}`);

/** One merged change as a person reads it: who changed what, from which laptop or the hub. */
export function mergedSentence(c: RosterChange, names: Map<string, string>): string {
  const who = c.memberId === null ? '' : (names.get(c.memberId) ?? `member ${c.memberId.slice(0, 8)}`);
  switch (c.change) {
    case 'member-added':
      return `${from(c.by)} added ${who} as ${c.to}${when(c.atMs)}.`;
    case 'member-removed':
      return `${from(c.by)} removed ${who} (was ${c.from}).`;
    case 'role':
      return `${from(c.by)} made ${who} ${c.to} (was ${c.from})${when(c.atMs)}.`;
    case 'name':
      return `${from(c.by)} renamed the group “${c.to}”${c.from ? ` (was “${c.from}”)` : ''}${when(c.atMs)}.`;
  }
}

/** One edit made here, not pushed yet, as a person reads it. */
export function unpushedSentence(e: RosterEdit, names: Map<string, string>): string {
  const who = (m: string) => names.get(m) ?? `member ${m.slice(0, 8)}`;
  switch (e.kind) {
    case 'add':
      return `Added ${who(e.memberId)} as ${e.role}`;
    case 'remove':
      return `Removed ${who(e.memberId)}`;
    case 'set-role':
      return `Made ${who(e.memberId)} ${e.role}`;
    case 'rename':
      return `Renamed the group “${e.name}”`;
  }
}

/**
 * The Hub screen's "Group rosters": the companion's TeamRosters (the same core as `pitwall hub
 * groups …`) for the connected hub. Edits are offered to the academy's admin and the group's
 * coaches only (the hub decides again at the push); a sync first checks the pinned key.
 */
export function createHubRostersService(o: HubRostersServiceOptions) {
  const timeoutMs = o.timeoutMs ?? 15_000;
  const state = new HubState(o.db);
  let lastSync: string | null = null;
  // A sync marks pushed what it read before the push: an edit made meanwhile must wait its turn.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const run = turn.then(work);
    turn = run.catch(() => undefined);
    return run;
  };

  const connected = async (): Promise<{ link: HubLinkRow; token: string | null; rosters: TeamRosters }> => {
    const { link, token } = await o.link();
    if (!link) throw new CompanionError('not-found', 'No hub is connected: connect to the academy’s hub first.');
    return { link, token, rosters: new TeamRosters(o.db, link.url) };
  };

  /** The member's role per group, and whether they are the academy's admin: only the admin is given rosters of groups they are not in. */
  const standing = (views: RosterView[]) => {
    const roles = new Map(state.groups().map((g) => [g.groupId, g.role]));
    const admin = views.some((v) => !roles.has(v.groupId));
    return { roles, canEdit: (groupId: string) => admin || roles.get(groupId) === 'coach' };
  };

  /** `known`: member names from every roster held here (a member removed here is named from another group). */
  const view = (v: RosterView, editable: boolean, known: Map<string, string>): HubRoster => {
    const names = new Map(v.members.flatMap((m) => (m.name ? [[m.memberId, m.name] as const] : [])));
    const merged: HubRosterMerged[] = v.merged
      .slice(-MERGED_SHOWN)
      .reverse()
      .map((c) => ({ ...c, sentence: mergedSentence(c, names) }));
    const unpushed = v.unpushed.map((u) => ({ ...u, sentence: unpushedSentence(u.edit, known) }));
    return { groupId: v.groupId, name: v.name, members: v.members, pending: v.pending, unpushed, editable, merged };
  };

  const status = async (): Promise<HubRostersStatus> => {
    const { link } = await o.link();
    if (!link) return { hubUrl: null, rosters: [], lastSync: null };
    const views = new TeamRosters(o.db, link.url).list();
    const { canEdit } = standing(views);
    const known = new Map(views.flatMap((v) => Object.entries(v.names)));
    return { hubUrl: link.url, rosters: views.map((v) => view(v, canEdit(v.groupId), known)), lastSync };
  };

  const edit = async ({ groupId, edit: e }: MethodParams<'hub:roster-edit'>): Promise<HubRostersStatus> => {
    const { rosters } = await connected();
    const views = rosters.list();
    const held = views.find((v) => v.groupId === groupId);
    if (!held) throw new CompanionError('not-found', `This laptop holds no roster of group ${groupId}: sync the rosters first.`);
    const { roles, canEdit } = standing(views);
    if (!canEdit(groupId)) {
      const role = roles.get(groupId);
      throw new CompanionError('forbidden', `You are ${role === 'analyst' ? 'an analyst' : `a ${role ?? 'member'}`} in ${held.name ?? groupId}: only the academy’s admin or the group’s coaches change its roster. Nothing was changed.`);
    }
    rosters.edit(groupId, e);
    return status();
  };

  const discard = async ({ groupId }: MethodParams<'hub:roster-discard'>): Promise<HubRostersStatus> => {
    (await connected()).rosters.discard(groupId);
    return status();
  };

  /** The hub as it answers now, refused unless it shows the key pinned at connect (the token goes nowhere else). */
  const checkedClient = async (link: HubLinkRow, token: string | null): Promise<HubClient> => {
    const key = await hubKeyOf(new HubClient(link.url, { timeoutMs }));
    if (key.publicKey !== link.publicKey) {
      o.keyPresented?.(key.fingerprint);
      throw new CompanionError('key-changed', keyChangedSentence(link.url, link, key.fingerprint));
    }
    if (!token) throw new CompanionError('forbidden', 'Rosters are synced by members only: connect with your member token first.');
    return new HubClient(link.url, { timeoutMs, token });
  };

  const sync = async (): Promise<HubRostersStatus> => {
    const { link, token, rosters } = await connected();
    try {
      const client = await checkedClient(link, token);
      const me = await memberGroupsOf(client);
      state.write('hubState.setGroups', me.groups);
      const r = await rosters.sync(client);
      const pushed = r.pushed?.groups.length ?? 0;
      lastSync = `Pushed ${pushed} roster${pushed === 1 ? '' : 's'} edited here, pulled ${r.pulled}; ${r.changes.length} change${r.changes.length === 1 ? '' : 's'} from elsewhere merged.`;
    } catch (err) {
      const p = hubProblem(link.url, err);
      const kept = rosters.list().some((v) => v.pending) ? ' The edits made here stay, marked not pushed yet: change them, or discard them to take the hub’s roster.' : '';
      lastSync = `${p.sentence}${kept}`.slice(0, 1200);
      throw new CompanionError(hubErrorCode(err, p.offline), lastSync);
    }
    return status();
  };

  const handlers = {
    'hub:rosters': async () => status(),
    'hub:roster-edit': (p: MethodParams<'hub:roster-edit'>) => inTurn(() => edit(p)),
    'hub:roster-discard': (p: MethodParams<'hub:roster-discard'>) => inTurn(() => discard(p)),
    'hub:rosters-sync': () => inTurn(sync),
  };
  return { handlers };
}
