import { CompanionError, type ErrorCode } from '@pitwall/protocol';
import { HubCallError } from '@pitwall/protocol/node';
import { hubProblem } from './hub-link.js';

/** The hub's registration refusals, each as a sentence a person can act on. */
const HUB_REFUSALS: Record<string, string> = {
  'key-mismatch':
    'The hub holds another key for this unit (a copy of the unit, or its identity was reset): refused, and the hub reported it. A unit whose identity was reset is registered again by the hub’s operator, on purpose.',
  'key-unvouched':
    'The hub registers only units whose key their maker vouched for, and this unit has no valid birth certificate for its key: refused, and the hub reported it. Ask the maker for the unit’s certificate.',
  'claim-code-used': 'This claim code was already used for another unit (a code is good once): ask the dealer for a new one. The unit was not registered.',
  'claim-code-unknown': 'This hub did not make this claim code: check it with the dealer. The unit was not registered.',
  'claim-code-expired': 'This claim code has expired: ask the dealer for a new one. The unit was not registered.',
  'challenge-used': 'The hub had already taken this signed request (a replay): it was not registered twice.',
  'challenge-expired': 'The challenge this request was signed for has expired: fetch new challenges and register the unit again.',
};

/** The sentence for a hub's refusal code (as the outbox reports it), or null for codes without one. */
export function refusalSentence(code: string | undefined): string | null {
  return (code && HUB_REFUSALS[code]) ?? null;
}

/** Any failure of a registration as a CompanionError whose message is a sentence for a person. */
export function registrationError(url: string, err: unknown): CompanionError {
  if (err instanceof HubCallError && HUB_REFUSALS[err.code]) return new CompanionError(err.status === 403 ? 'forbidden' : 'conflict', HUB_REFUSALS[err.code]!);
  if (err instanceof CompanionError && err.code === 'conflict' && /^the hub's answer was refused/.test(err.message)) {
    return new CompanionError('conflict', `The hub at ${url} answered with a record that does not match this unit (${err.message.replace(/^the hub's answer was refused: /, '')}): refused, nothing was kept and nothing reached the unit.`);
  }
  if (err instanceof CompanionError) return err;
  const p = hubProblem(url, err);
  const code: ErrorCode = p.offline ? 'unreachable' : 'conflict';
  return new CompanionError(code, p.sentence);
}

/** The hub could not be reached (no network, hub down, a 5xx): what is signed may wait and go later. */
export function outOfReach(err: unknown): boolean {
  return (err instanceof HubCallError && !err.final) || (err instanceof Error && err.name === 'TimeoutError');
}
