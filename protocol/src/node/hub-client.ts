import { apiError } from '../device-api/api-error.js';
import { hubChallenge, hubKeyInfo, HubRoutes, signedRegistration, type HubChallenge, type HubChallengePurpose, type HubKeyInfo, type HubRoute, type RegistrationRequest, type SignedRegistration } from '../hub/index.js';
import type { Validator } from '../validate.js';
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
  /** The hub's answer is final for this request (a refusal); else it may be sent again later. */
  get final(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

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

  async call<T>(route: HubRoute, body: unknown, answer: Validator<TSchema>): Promise<T> {
    let res: Response;
    try {
      res = await fetch(new URL(route.path, this.baseUrl), {
        method: route.method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw new HubCallError(0, 'unreachable', `the hub at ${this.baseUrl} cannot be reached (${(err as Error).message})`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
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
