import type { TSchema } from '@sinclair/typebox';
import { ApiError } from '../device-api/api-error.js';
import { ClaimCodeIssued, ClaimCodeRequest } from './claim-code.js';
import { HubChallenge, HubChallengeRequest } from './hub-challenge.js';
import { HubFleetDistribution, HubFleetParams, HubFleetQuery } from './hub-fleet.js';
import { HubKeyInfo } from './hub-key.js';
import { SignedRegistration } from './registration-record.js';
import { RegistrationRequest } from './registration-request.js';
import { GroupSessionsPage, GroupSessionsQuery, SharedSession, SharedSessionParams, SharedSessionUpload } from './shared-session.js';
import { SESSION_BATCH_MAX_B, SharedSessionBatch, SharedSessionBatchResult } from './shared-session-batch.js';
import { Group, GroupCreate, GroupMember, GroupMemberAdd, GroupParams } from './team-group.js';
import { RegistryTrackPull, RegistryTrackPullQuery, RegistryTrackPush, RegistryTrackPushResult } from './track-registry.js';

/** `public`: anyone (what proves the caller is in the body: a unit's signature); `member`: a bearer token of an organisation's member. */
export type HubAccess = 'public' | 'member';

export interface HubRoute {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Fastify-style: `:name` for a path parameter. */
  readonly path: `/hub/v1/${string}`;
  readonly params?: TSchema;
  readonly query?: TSchema;
  readonly body?: TSchema;
  readonly responses: Readonly<Record<number, TSchema>>;
  readonly access: HubAccess;
  readonly summary: string;
  /** A larger body than the hub's default (16 KiB … 256 KiB) for this route, bytes. */
  readonly maxBodyB?: number;
}

/** The largest track book a push may carry: 200 tracks of 5,000 points with room for their edits. */
export const REGISTRY_PUSH_MAX_B = 32 * 1024 * 1024;

/** Every refusal of the hub has the device API's error shape: `{"error":{"code","message"}}`. */
export const HubError = ApiError;

/** Every route of the hub, declared once: the server registers from it and clients call through it. */
export const HubRoutes = {
  key: { method: 'GET', path: '/hub/v1/key', responses: { 200: HubKeyInfo }, access: 'public', summary: "the hub's signing key" },
  challenge: {
    method: 'POST',
    path: '/hub/v1/challenges',
    body: HubChallengeRequest,
    responses: { 201: HubChallenge },
    access: 'public',
    summary: 'a fresh single-use nonce for one registration request',
  },
  register: {
    method: 'POST',
    path: '/hub/v1/registrations',
    body: RegistrationRequest,
    responses: { 200: SignedRegistration, 201: SignedRegistration },
    access: 'public',
    summary: "register a unit (its signed request) and answer the hub-signed record (201 new, 200 already registered with this key)",
  },
  claimCode: {
    method: 'POST',
    path: '/hub/v1/claim-codes',
    body: ClaimCodeRequest,
    responses: { 201: ClaimCodeIssued },
    access: 'member',
    summary: "a one-time claim code for an academy the caller's dealer serves",
  },
  createGroup: { method: 'POST', path: '/hub/v1/groups', body: GroupCreate, responses: { 201: Group }, access: 'member', summary: "a group of the caller's academy (its admin)" },
  addGroupMember: {
    method: 'POST',
    path: '/hub/v1/groups/:groupId/members',
    params: GroupParams,
    body: GroupMemberAdd,
    responses: { 200: GroupMember },
    access: 'member',
    summary: "put a member of the academy into a group with a role (the academy's admin or the group's coach)",
  },
  shareSession: {
    method: 'PUT',
    path: '/hub/v1/sessions/:unitId/:sessionId',
    params: SharedSessionParams,
    body: SharedSessionUpload,
    responses: { 200: SharedSession },
    access: 'member',
    summary: 'a driver shares their session with groups they drive in (again: replaces laps and groups)',
  },
  shareSessionBatch: {
    method: 'POST',
    path: '/hub/v1/sessions/batch',
    body: SharedSessionBatch,
    responses: { 200: SharedSessionBatchResult },
    access: 'member',
    maxBodyB: SESSION_BATCH_MAX_B,
    summary: 'a driver shares many sessions in one transaction, each as the PUT of one does; one refused refuses all (named by index), nothing written',
  },
  readSession: {
    method: 'GET',
    path: '/hub/v1/sessions/:unitId/:sessionId',
    params: SharedSessionParams,
    responses: { 200: SharedSession },
    access: 'member',
    summary: 'one shared session: for its driver and the members of the groups it is shared with (else 404)',
  },
  groupSessions: {
    method: 'GET',
    path: '/hub/v1/groups/:groupId/sessions',
    params: GroupParams,
    query: GroupSessionsQuery,
    responses: { 200: GroupSessionsPage },
    access: 'member',
    summary: "a group's shared sessions changed after a cursor (its members only)",
  },
  fleetDistribution: {
    method: 'GET',
    path: '/hub/v1/fleet/:trackId',
    params: HubFleetParams,
    query: HubFleetQuery,
    responses: { 200: HubFleetDistribution },
    access: 'member',
    summary: "a track's lap, sector and progress distributions over one group or every group of the organisation the caller is in",
  },
  registryPush: {
    method: 'POST',
    path: '/hub/v1/registry/tracks',
    body: RegistryTrackPush,
    responses: { 200: RegistryTrackPushResult },
    access: 'member',
    maxBodyB: REGISTRY_PUSH_MAX_B,
    summary: "merge a laptop's track book into the organisation's registry (signatures recomputed by the hub)",
  },
  registryPull: {
    method: 'GET',
    path: '/hub/v1/registry/tracks',
    query: RegistryTrackPullQuery,
    responses: { 200: RegistryTrackPull },
    access: 'member',
    summary: "the organisation's registry changed after a version, a page at a time",
  },
} as const satisfies Record<string, HubRoute>;
