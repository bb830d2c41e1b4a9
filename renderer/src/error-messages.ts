import type { CallError, ErrorCode } from '@pitwall/protocol';

/** One sentence per error code, in words a dealer or track-side staff member can act on. */
export const ERROR_SENTENCES: Record<ErrorCode, string> = {
  'invalid-params': 'The companion did not accept that request.',
  'unknown-method': 'This version of the companion does not know that action.',
  'not-found': 'That unit is no longer in the list.',
  unreachable: 'The unit did not answer. Check that it is switched on and on the same network as this laptop.',
  'not-a-unit': 'Something answered at that address, but it is not a Pitwall unit.',
  'bad-address': 'That address is not valid. Use HOST:PORT, for example 192.168.4.20:8080.',
  forbidden: 'The unit or the companion refused the request.',
  'not-paired': 'This companion is not paired with the unit yet. Pair it to see live data.',
  'key-changed': 'The unit presents a different identity key than the one paired. Nothing was sent to it.',
  conflict: 'Two units claim the same identity. The one that does not hold the paired key is not trusted.',
  'pairing-closed': 'The unit is not accepting pairing now. Press the pairing button on the unit, then try again within 2 minutes.',
  internal: 'Something went wrong inside the companion.',
  storage: 'The companion could not use its database.',
};

/** The sentence for an error, and the companion's own message when it adds detail. */
export function describeError(error: CallError): { sentence: string; detail: string | null } {
  const sentence = ERROR_SENTENCES[error.code] ?? ERROR_SENTENCES.internal;
  const detail = error.message && error.message !== sentence ? error.message : null;
  return { sentence, detail };
}
