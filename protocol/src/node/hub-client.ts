import { apiError } from '../device-api/api-error.js';
import {
  group,
  groupMember,
  groupSessionsPage,
  hubChallenge,
  hubKeyInfo,
  HubRoutes,
  sharedSession,
  sharedSessionBatchResult,
  signedRegistration,
  SESSION_BATCH_MAX_B,
  SESSION_BATCH_MAX_ITEMS,
  type Group,
  type GroupMember,
  type GroupRole,
  type GroupSessionsPage,
  type HubChallenge,
  type HubChallengePurpose,
  type HubKeyInfo,
  type HubRoute,
  type RegistrationRequest,
  type SharedSession,
  type SharedSessionBatchItem,
  type SharedSessionBatchResult,
  type SharedSessionUpload,
  type SignedRegistration,
} from '../hub/index.js';
import type { Validator } from '../validate.js';
import { AnswerTooLargeError, requestText, type TextAnswer } from './http-text.js';
import type { TSchema } from '@sinclair/typebox';

/** The hub refused (a 4xx with its code), or could not be reached / answered nonsense (`status` 0). */
export class HubCallError extends Error {
  override readonly name = 'HubCallError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  /** The hub's answer is final for this request (a refusal); else (unreachable, rate-limited) it may be sent again later. */
  get final(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 429;
  }
}

/**
 * Cuts a batch of sessions (each already as JSON) into request bodies of at most `maxItems`
 * sessions and `maxBytes` bytes, in order; a session alone over `maxBytes` is sent alone (the hub
 * then refuses it).
 */
export function sessionBatchBodies(items: readonly string[], maxItems = SESSION_BATCH_MAX_ITEMS, maxBytes = SESSION_BATCH_MAX_B): string[] {
  const head = '{"sessions":[';
  const bodies: string[] = [];
  let part: string[] = [];
  let bytes = head.length + 2;
  for (const item of items) {
    const b = Buffer.byteLength(item) + 1;
    if (part.length > 0 && (part.length === maxItems || bytes + b > maxBytes)) {
      bodies.push(`${head}${part.join(',')}]}`);
      part = [];
      bytes = head.length + 2;
    }
    part.push(item);
    bytes += b;
  }
  if (part.length) bodies.push(`${head}${part.join(',')}]}`);
  return bodies;
}

/** The largest answer read from a hub: a registry pull of every track, with room to spare. */
const MAX_ANSWER_B = 64 * 1024 * 1024;

/** Calls a hub through its route table, each answer validated against the route's schema. */
export class HubClient {
  constructor(
    readonly baseUrl: string,
    private readonly opts: { token?: string; timeoutMs?: number } = {},
  ) {}

  key(): Promise<HubKeyInfo> {
    return this.call(HubRoutes.key, undefined, hubKeyInfo);
  }

  challenge(purpose: HubChallengePurpose): Promise<HubChallenge> {
    return this.call(HubRoutes.challenge, { purpose }, hubChallenge);
  }

  register(request: RegistrationRequest): Promise<SignedRegistration> {
    return this.call(HubRoutes.register, request, signedRegistration);
  }

  createGroup(name: string): Promise<Group> {
    return this.call(HubRoutes.createGroup, { name }, group);
  }

  addGroupMember(groupId: string, memberId: string, role: GroupRole): Promise<GroupMember> {
    return this.call(HubRoutes.addGroupMember, { memberId, role }, groupMember, { groupId });
  }

  shareSession(unitId: string, sessionId: string, upload: SharedSessionUpload): Promise<SharedSession> {
    return this.call(HubRoutes.shareSession, upload, sharedSession, { unitId, sessionId });
  }

  /**
   * Shares many sessions, a day's in one request (one transaction on the hub: all or nothing);
   * more than a request carries go in several, one after another, and a refusal stops there (the
   * requests before it are kept). One answer per request.
   */
  async shareSessions(items: readonly SharedSessionBatchItem[]): Promise<SharedSessionBatchResult[]> {
    const out: SharedSessionBatchResult[] = [];
    for (const body of sessionBatchBodies(items.map((s) => JSON.stringify(s)))) out.push(await this.send(HubRoutes.shareSessionBatch, body, sharedSessionBatchResult));
    return out;
  }

  groupSessions(groupId: string, after: string | null): Promise<GroupSessionsPage> {
    return this.call(HubRoutes.groupSessions, undefined, groupSessionsPage, { groupId }, after === null ? {} : { after });
  }

  call<T>(route: HubRoute, body: unknown, answer: Validator<TSchema>, params: Record<string, string> = {}, query: Record<string, string> = {}): Promise<T> {
    return this.send(route, body === undefined ? undefined : JSON.stringify(body), answer, params, query);
  }

  /** A call with its body already JSON. */
  private async send<T>(route: HubRoute, body: string | undefined, answer: Validator<TSchema>, params: Record<string, string> = {}, query: Record<string, string> = {}): Promise<T> {
    const url = new URL(route.path.replace(/:([A-Za-z]+)/g, (_, k: string) => encodeURIComponent(params[k] ?? '')), this.baseUrl);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    let res: TextAnswer;
    try {
      res = await requestText(url, {
        method: route.method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}) },
        ...(body === undefined ? {} : { body }),
        timeoutMs: this.opts.timeoutMs ?? 15_000,
        maxBytes: MAX_ANSWER_B,
      });
    } catch (err) {
      if (err instanceof AnswerTooLargeError) throw new HubCallError(0, 'bad-answer', `the hub ${err.message}`);
      throw new HubCallError(0, 'unreachable', `the hub at ${this.baseUrl} cannot be reached (${(err as Error).message})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw new HubCallError(0, 'bad-answer', `the hub answered ${res.status} with a body that is not JSON`);
    }
    if (!(res.status in route.responses)) {
      if (apiError.is(json)) throw new HubCallError(res.status, json.error.code, json.error.message);
      throw new HubCallError(res.status >= 400 && res.status < 500 ? res.status : 0, 'bad-answer', `the hub answered ${res.status}`);
    }
    return answer.parse(json) as T;
  }
}
