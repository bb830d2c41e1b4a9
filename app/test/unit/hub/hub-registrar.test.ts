import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CompanionError, HubChallenge, HubKeyInfo, RegistrationRequest } from '@pitwall/protocol';
import { HubCallError, publicKeyBase64, signRegistrationRequest, type HubClient } from '@pitwall/protocol/node';
import { HubPins } from '../../../src/hub/hub-pins.js';
import { HubRegistrar } from '../../../src/hub/unit-registration.js';

// The companion's hub state without sockets: a hub is a stand-in object answering key and
// challenge (what HubPins asks of it); the registrar's outbox is per hub.

const dir = mkdtempSync(join(tmpdir(), 'pitwall-hub-registrar-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const keyInfo = (): HubKeyInfo => ({ publicKey: publicKeyBase64(generateKeyPairSync('ed25519').privateKey), fingerprint: `SHA256:${'B'.repeat(43)}` });
let n = 0;
const forwardChallenge = (expiresAt = new Date(Date.now() + 86_400_000).toISOString()): HubChallenge => ({
  challengeId: (++n).toString(16).padStart(32, '0'),
  nonce: Buffer.alloc(32, n).toString('base64'),
  purpose: 'forward',
  expiresAt,
});
function standIn(baseUrl: string, info: HubKeyInfo, sent: RegistrationRequest[] = []): HubClient {
  return {
    baseUrl,
    key: async () => info,
    challenge: async () => forwardChallenge(),
    register: async (r: RegistrationRequest) => {
      sent.push(r);
      throw new HubCallError(400, 'challenge-unknown', 'not ours');
    },
  } as unknown as HubClient;
}

test('a hub is pinned at first contact; the same URL answering with another key is refused', async () => {
  const pins = new HubPins(join(dir, 'pins'));
  const info = keyInfo();
  assert.deepEqual(await pins.pin(standIn('http://hub.test', info)), info);
  assert.deepEqual(await pins.pin(standIn('http://hub.test', info)), info);
  await assert.rejects(pins.pin(standIn('http://hub.test', keyInfo())), (e: CompanionError) => e.code === 'key-changed' && /not .* as pinned/.test(e.message));
  assert.deepEqual((await pins.get('http://hub.test'))?.key, info, 'the pinned key stays');
});

test('forward challenges: taken oldest first, expired ones dropped, none left is said plainly', async () => {
  const pins = new HubPins(join(dir, 'challenges'));
  await pins.pin(standIn('http://hub.test', keyInfo()));
  const now = Date.now();
  const stale = forwardChallenge(new Date(now - 1).toISOString());
  const [a, b] = [forwardChallenge(), forwardChallenge()];
  assert.equal(await pins.addChallenges('http://hub.test', [stale, a!, b!], now - 10), 3);
  assert.deepEqual((await pins.takeChallenge('http://hub.test', now)).challenge, a);
  assert.deepEqual((await pins.takeChallenge('http://hub.test', now)).challenge, b);
  await assert.rejects(pins.takeChallenge('http://hub.test', now), (e: CompanionError) => e.code === 'not-found' && /pitwall hub challenges/.test(e.message));
  await assert.rejects(pins.takeChallenge('http://never.test', now), /never reached/);
});

test("each hub has its own outbox: forwarding to one hub never sends another hub's requests", async () => {
  const registrar = new HubRegistrar(join(dir, 'registrar'), { callRoute: () => Promise.reject(new Error('no unit')) });
  const { privateKey } = generateKeyPairSync('ed25519');
  const unit = { unitId: randomUUID(), model: 'PW-1' };
  await registrar.outboxFor('http://a.test').put(signRegistrationRequest(privateKey, unit, forwardChallenge()));
  const sentToB: RegistrationRequest[] = [];
  assert.deepEqual(await registrar.forward(standIn('http://b.test', keyInfo(), sentToB)), []);
  assert.deepEqual(sentToB, []);
  assert.equal((await registrar.outboxFor('http://a.test').pending()).length, 1);
  // Hub A out of reach: kept for the next try.
  const away = { baseUrl: 'http://a.test', key: () => Promise.reject(new HubCallError(0, 'unreachable', 'away')) } as unknown as HubClient;
  assert.deepEqual(await registrar.forward(away), [{ unitId: unit.unitId, outcome: 'kept', reason: 'away' }]);
});
