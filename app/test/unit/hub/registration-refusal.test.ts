import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompanionError } from '@pitwall/protocol';
import { HubCallError } from '@pitwall/protocol/node';
import { outOfReach, refusalSentence, registrationError } from '../../../src/hub/registration-refusal.js';

const URL = 'http://127.0.0.1:9';

test('each refusal of the hub reaches the person as a sentence to act on, never as the bare code', () => {
  const cases: [HubCallError, string, RegExp][] = [
    [new HubCallError(409, 'key-mismatch', 'registered SHA256:a, presented SHA256:b'), 'conflict', /holds another key for this unit.*reported it/],
    [new HubCallError(403, 'key-unvouched', 'not vouched'), 'forbidden', /no valid birth certificate.*reported it/],
    [new HubCallError(409, 'claim-code-used', 'used'), 'conflict', /already used for another unit/],
    [new HubCallError(400, 'claim-code-unknown', 'unknown'), 'conflict', /did not make this claim code/],
    [new HubCallError(410, 'claim-code-expired', 'expired'), 'conflict', /has expired/],
  ];
  for (const [err, code, sentence] of cases) {
    const e = registrationError(URL, err);
    assert.equal(e.code, code, err.code);
    assert.match(e.message, sentence, err.code);
    assert.doesNotMatch(e.message, new RegExp(err.code), 'the sentence, not the code');
    assert.equal(refusalSentence(err.code), e.message);
  }
});

test('a changed hub key, a record for another unit and an unreachable hub keep their meaning', () => {
  assert.equal(registrationError(URL, new CompanionError('key-changed', 'The hub now shows another key.')).code, 'key-changed');
  const other = registrationError(URL, new CompanionError('conflict', "the hub's answer was refused: the registration record is for unit x"));
  assert.match(other.message, /does not match this unit \(the registration record is for unit x\).*nothing was kept/);
  const away = new HubCallError(0, 'unreachable', 'connect ECONNREFUSED');
  assert.equal(registrationError(URL, away).code, 'unreachable');
  assert.ok(outOfReach(away));
  assert.ok(outOfReach(new HubCallError(503, 'unavailable', 'down')));
  assert.ok(!outOfReach(new HubCallError(409, 'key-mismatch', 'x')));
  assert.equal(refusalSentence('something-new'), null);
  assert.equal(refusalSentence(undefined), null);
});
