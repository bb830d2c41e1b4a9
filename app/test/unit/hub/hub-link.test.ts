import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompanionError } from '@pitwall/protocol';
import { HubCallError } from '@pitwall/protocol/node';
import { hubErrorCode, hubProblem, hubUrlOf, plainHttpWarning } from '../../../src/hub/hub-link.js';

test('a hub address: http(s) only, no credentials, kept without a trailing slash', () => {
  assert.equal(hubUrlOf(' https://hub.example/ '), 'https://hub.example');
  assert.equal(hubUrlOf('http://127.0.0.1:8080/pitwall/'), 'http://127.0.0.1:8080/pitwall');
  for (const bad of ['hub.example', 'ftp://hub.example', 'file:///etc/passwd', 'javascript:alert(1)']) {
    assert.throws(() => hubUrlOf(bad), (e: CompanionError) => e.code === 'invalid-params', bad);
  }
  assert.throws(() => hubUrlOf('https://ana:secret@hub.example'), /no user name or password/);
});

test('plain http is warned about unless it stays on this machine', () => {
  assert.equal(plainHttpWarning('http://127.0.0.1:4000'), null);
  assert.equal(plainHttpWarning('http://localhost:4000'), null);
  assert.equal(plainHttpWarning('http://[::1]:4000'), null);
  assert.equal(plainHttpWarning('https://hub.example'), null);
  assert.match(plainHttpWarning('http://hub.example') ?? '', /unencrypted/);
  assert.match(plainHttpWarning('http://127.0.0.1.evil.example') ?? '', /unencrypted/);
});

test('failures as sentences: unreachable and late are offline; refusals are clean, short and coded', () => {
  const url = 'https://hub.example';
  assert.deepEqual(hubProblem(url, new HubCallError(0, 'unreachable', 'fetch failed')), { sentence: `The hub at ${url} cannot be reached (no network, or the hub is down).`, offline: true });
  assert.equal(hubProblem(url, new HubCallError(0, 'unreachable', 'The operation was aborted due to timeout')).offline, true);
  assert.equal(hubProblem(url, Object.assign(new Error('late'), { name: 'TimeoutError' })).offline, true);
  const refused = hubProblem(url, new HubCallError(409, 'x\u001b[2J', `\u001b[31m${'a'.repeat(5000)}\u202e`));
  assert.equal(refused.offline, false);
  assert.ok(refused.sentence.length < 400 && !refused.sentence.includes('\u001b') && !refused.sentence.includes('\u202e'), refused.sentence.slice(0, 80));
  assert.equal(hubErrorCode(new HubCallError(401, 'unauthenticated', 'no'), false), 'forbidden');
  assert.equal(hubErrorCode(new HubCallError(0, 'unreachable', 'no'), true), 'unreachable');
  assert.equal(hubErrorCode(new CompanionError('key-changed', 'k'), false), 'key-changed');
  assert.equal(hubErrorCode(new HubCallError(409, 'conflict', 'no'), false), 'conflict');
});
