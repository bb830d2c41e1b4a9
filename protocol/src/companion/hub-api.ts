import { Type, type Static } from '@sinclair/typebox';
import { Fingerprint } from '../identity/fingerprint.js';
import { HubId } from '../hub/hub-ids.js';
import { GroupRole } from '../hub/team-group.js';
import { MergeChange } from '../tracks/merge-report.js';

/** The companion's link to a hub (methods `hub:*`): connection, groups, sessions to share, the track registry. */
const Empty = Type.Object({}, { additionalProperties: false });
const Sentence = Type.String({ maxLength: 1200 });
const Ms = Type.Number();
const SessionRef = Type.Integer({ minimum: 1 });
const HubUrl = Type.String({ minLength: 8, maxLength: 300, pattern: '^https?://[^\\s]+$' });
/** A member token as the hub issues it; never sent back to the window. */
const MemberToken = Type.String({ minLength: 1, maxLength: 200 });

export const HubConnection = Type.Object(
  {
    url: Type.String(),
    /** The hub's signing key, pinned on first use; a hub answering with another key is refused. */
    fingerprint: Fingerprint,
    pinnedAt: Ms,
    /** Another key the hub showed since (refused: nothing is sent to it), to compare with the pinned one. */
    presentedFingerprint: Type.Union([Fingerprint, Type.Null()]),
    /** A member token is kept in the companion's secret store (never shown). */
    tokenSet: Type.Boolean(),
    member: Type.Union([Type.Object({ name: Type.String(), organisation: Type.String() }, { additionalProperties: false }), Type.Null()]),
    /** Plain http to another machine: the token crosses the network readable (a sentence, or null). */
    warning: Type.Union([Sentence, Type.Null()]),
  },
  { additionalProperties: false },
);
export type HubConnection = Static<typeof HubConnection>;

export const HubGroupState = Type.Object(
  {
    groupId: HubId,
    name: Type.String(),
    role: GroupRole,
    /** Synced by `hub:sync`. */
    chosen: Type.Boolean(),
    lastSyncAt: Type.Union([Ms, Type.Null()]),
    /** Sessions new or changed at the last sync of this group. */
    changed: Type.Union([Type.Integer(), Type.Null()]),
    error: Type.Union([Sentence, Type.Null()]),
  },
  { additionalProperties: false },
);
export type HubGroupState = Static<typeof HubGroupState>;

/** A session of this store waiting to be shared (offline-first: kept until the hub takes it). */
export const HubQueuedShare = Type.Object(
  { session: SessionRef, label: Type.String(), groups: Type.Array(HubId), queuedAt: Ms, error: Type.Union([Sentence, Type.Null()]) },
  { additionalProperties: false },
);
export type HubQueuedShare = Static<typeof HubQueuedShare>;

/** A session of this store the hub has taken. */
export const HubSharedSession = Type.Object({ session: SessionRef, groups: Type.Array(HubId), sharedAt: Ms }, { additionalProperties: false });
export type HubSharedSession = Static<typeof HubSharedSession>;

export const HubRegistryState = Type.Object(
  {
    lastSyncAt: Type.Union([Ms, Type.Null()]),
    pushed: Type.Union([Type.Integer(), Type.Null()]),
    pulled: Type.Union([Type.Integer(), Type.Null()]),
    changes: Type.Array(MergeChange),
    error: Type.Union([Sentence, Type.Null()]),
  },
  { additionalProperties: false },
);
export type HubRegistryState = Static<typeof HubRegistryState>;

export const HubStatus = Type.Object(
  {
    connection: Type.Union([HubConnection, Type.Null()]),
    groups: Type.Array(HubGroupState),
    queue: Type.Array(HubQueuedShare),
    shared: Type.Array(HubSharedSession),
    /** Sessions the hub took at the last sync. */
    lastShared: Type.Integer({ minimum: 0 }),
    lastSyncAt: Type.Union([Ms, Type.Null()]),
    /** Why the last attempt failed, as a sentence (null: it did not). */
    problem: Type.Union([Sentence, Type.Null()]),
    /** The hub could not be reached at the last attempt (what is queued stays queued). */
    offline: Type.Boolean(),
    /** When the companion tries again by itself (ms since the epoch), or null. */
    retryAt: Type.Union([Ms, Type.Null()]),
    running: Type.Boolean(),
    registry: HubRegistryState,
  },
  { additionalProperties: false },
);
export type HubStatus = Static<typeof HubStatus>;

/** Long work in steps: checking the hub's key, sharing sessions, syncing groups, the registry. */
export const HubProgress = Type.Object(
  {
    phase: Type.Union([Type.Literal('checking'), Type.Literal('sharing'), Type.Literal('syncing'), Type.Literal('registry'), Type.Literal('done')]),
    done: Type.Integer({ minimum: 0 }),
    total: Type.Integer({ minimum: 0 }),
    label: Type.String(),
  },
  { additionalProperties: false },
);
export type HubProgress = Static<typeof HubProgress>;

export const hubMethods = {
  'hub:status': { params: Empty, result: HubStatus },
  /** Checks the hub (its key, pinned on first use; the token, against the member's groups) and keeps the token (omitted: the one kept). */
  'hub:connect': { params: Type.Object({ url: HubUrl, token: Type.Optional(MemberToken) }, { additionalProperties: false }), result: HubStatus },
  /** Forgets the hub: its pinned key, the token, the groups and the queue. */
  'hub:forget': { params: Empty, result: HubStatus },
  'hub:choose-groups': { params: Type.Object({ groupIds: Type.Array(HubId, { maxItems: 500 }) }, { additionalProperties: false }), result: HubStatus },
  /** Queues sessions of this store to share with groups, then syncs. */
  'hub:share': {
    params: Type.Object({ sessions: Type.Array(SessionRef, { minItems: 1, maxItems: 2000 }), groups: Type.Array(HubId, { minItems: 1, maxItems: 500 }) }, { additionalProperties: false }),
    result: HubStatus,
  },
  /** Sends what is queued and brings the chosen groups' sessions in. */
  'hub:sync': { params: Empty, result: HubStatus },
  /** Pushes this laptop's tracks to the hub's registry and merges the registry here. */
  'hub:registry-sync': { params: Empty, result: HubStatus },
} as const;

export const hubEvents = { 'hub:progress': HubProgress } as const;
