import { CompanionError, HubRoutes, type ErrorCode, memberGroups, SchemaError, type HubKeyInfo, type MemberGroups } from '@pitwall/protocol';
import { HubCallError, type HubClient } from '@pitwall/protocol/node';
import { fingerprintOfSpki } from '../identity/fingerprint.js';

/** A hub URL as kept: http(s) only, no credentials, no query; the origin and path. */
export function hubUrlOf(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new CompanionError('invalid-params', `"${raw.slice(0, 80)}" is not a web address (http://… or https://…).`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CompanionError('invalid-params', 'A hub address starts with http:// or https://.');
  if (u.username || u.password) throw new CompanionError('invalid-params', 'A hub address carries no user name or password: the member token goes in its own field.');
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** A sentence when the token would cross the network unencrypted (plain http to another machine). */
export function plainHttpWarning(url: string): string | null {
  const u = new URL(url);
  return u.protocol === 'http:' && !LOOPBACK.test(u.hostname) ? 'This hub is reached over plain http: the member token and sessions cross the network unencrypted. Use https:// outside a test bench.' : null;
}

/** The hub's key, checked: its fingerprint must be the one of its public key (a hub cannot show one and use another). */
export async function hubKeyOf(client: HubClient): Promise<HubKeyInfo> {
  const key = await client.key();
  const spki = Buffer.from(key.publicKey, 'base64');
  if (fingerprintOfSpki(spki) !== key.fingerprint) {
    throw new CompanionError('key-changed', `The hub at ${client.baseUrl} shows a fingerprint that is not the one of the key it sends: it is not trusted and nothing was sent to it.`);
  }
  return key;
}

/** The refusal of a hub whose key is not the pinned one; the token is not sent to it. */
export function keyChangedSentence(url: string, pinned: { fingerprint: string; pinnedAt: number }, now: string): string {
  return (
    `The hub at ${url} now shows the key ${now}, not ${pinned.fingerprint} pinned on ${new Date(pinned.pinnedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC. ` +
    'It may be another server in its place: nothing was sent to it. If the hub’s operator confirms its key changed, forget this hub and connect again.'
  );
}

export async function memberGroupsOf(client: HubClient): Promise<MemberGroups> {
  return client.call<MemberGroups>(HubRoutes.myGroups, undefined, memberGroups);
}

/** A peer's words, shown: no control or direction characters, at most `max` characters. */
// eslint-disable-next-line no-control-regex -- control characters are what it removes
const clean = (text: string, max = 300): string => text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, ' ').slice(0, max);

const lateSentence = (url: string) => `The hub at ${url} did not answer in time (a slow or overloaded link); nothing is lost and it is tried again later.`;

/** Any failure of a hub call as a sentence for a person; `offline` when it could not be reached at all. */
export function hubProblem(url: string, err: unknown): { sentence: string; offline: boolean } {
  if (err instanceof CompanionError) return { sentence: err.message, offline: false };
  if (err instanceof HubCallError) {
    if (err.code === 'unreachable' && /timeout|aborted/i.test(err.message)) return { sentence: lateSentence(url), offline: true };
    if (err.code === 'unreachable') return { sentence: `The hub at ${url} cannot be reached (no network, or the hub is down).`, offline: true };
    if (err.code === 'bad-answer') return { sentence: `The hub at ${url} answered something that is not a hub’s answer (${clean(err.message.replace(/^the hub /, ''))}).`, offline: false };
    if (err.status === 401) return { sentence: `The hub at ${url} refused the member token: ask the academy for a new one and connect again.`, offline: false };
    return { sentence: `The hub at ${url} refused (${clean(err.code, 60)}): ${clean(err.message)}`, offline: false };
  }
  // A body that does not end before the deadline fails in the reading, outside the client's own errors.
  if (err instanceof Error && err.name === 'TimeoutError') return { sentence: lateSentence(url), offline: true };
  if (err instanceof Error && err.name === 'RegistrySyncError' && / is not reachable/.test(err.message)) {
    return { sentence: `The hub at ${url} cannot be reached (no network, or the hub is down).`, offline: true };
  }
  if (err instanceof SchemaError) return { sentence: `The hub at ${url} answered in a shape this companion does not read (${clean(err.problems.slice(0, 2).join('; '), 200)}).`, offline: false };
  return { sentence: `The hub at ${url} could not be used: ${clean(err instanceof Error ? err.message : String(err))}`, offline: false };
}

/** The error code a hub failure reaches the window with. */
export function hubErrorCode(err: unknown, offline: boolean): ErrorCode {
  if (err instanceof CompanionError) return err.code;
  if (offline) return 'unreachable';
  return err instanceof HubCallError && (err.status === 401 || err.status === 403) ? 'forbidden' : 'conflict';
}

/** A fetch that gives up after `timeoutMs` too (the registry sync's own deadline is longer). */
export function fetchWithin(timeoutMs: number): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) });
}
