import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { HubRoutes, type MemberGroups } from '@pitwall/protocol';
import { createCompanion, fingerprintOfSpki, type Companion } from '@pitwall/app';
import { scratchDir } from '../../../../app/test/helpers/units.js';

/**
 * A hostile or broken server at the hub's address: garbage, a wrong shape, an oversized body, no
 * answer at all, a fingerprint that is not its key's, another key than the pinned one, refusals
 * with control characters. The companion stays up, says what happened in a sentence, and sends
 * the member token to no server whose key it has not pinned.
 */
type Mode = 'hub' | 'garbage' | 'shape' | 'oversized' | 'slow' | 'mismatched' | 'other-key' | 'refuse-ansi';

const keyInfo = () => {
  const spki = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
  return { publicKey: spki.toString('base64'), fingerprint: fingerprintOfSpki(spki) };
};
// eslint-disable-next-line no-control-regex -- what a shown sentence must not hold
const UNCLEAN = /[\u0000-\u001f\u202e]/;
const TOKEN = `pwh_${randomBytes(32).toString('base64url')}`;
const me: MemberGroups = {
  memberId: 'a'.repeat(32),
  name: 'Ana Ruiz',
  organisation: { id: 'b'.repeat(32), name: 'Kart Academy North', kind: 'academy' },
  groups: [{ groupId: 'c'.repeat(32), name: 'Team Red', role: 'driver' }],
};

describe('a hostile hub', { timeout: 120_000 }, () => {
  const scratch = scratchDir('hostile-hub');
  const pinned = keyInfo();
  const other = keyInfo();
  let mode: Mode = 'hub';
  /** Requests that carried a member token, by mode. */
  const tokensSeen: Mode[] = [];
  let server: Server;
  let url: string;
  let companion: Companion;

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization) tokensSeen.push(mode);
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const path = new URL(req.url!, 'http://x').pathname;
    switch (mode) {
      case 'garbage':
        return res.writeHead(200).end('<html>\u0000\u001b[31mnot a hub');
      case 'shape':
        return json(200, { publicKey: 5, fingerprint: ['x'] });
      case 'oversized':
        return res.writeHead(200, { 'content-type': 'application/json' }).end(`"${'x'.repeat(48 * 1024 * 1024)}`);
      case 'slow':
        return; // never answers
      case 'mismatched':
        return json(200, { publicKey: other.publicKey, fingerprint: pinned.fingerprint });
      case 'refuse-ansi':
        return json(401, { error: { code: 'unauthenticated\u001b[2J', message: `\u001b[31m${'Z'.repeat(20_000)}\u202e` } });
      default:
        if (path === HubRoutes.key.path) return json(200, mode === 'other-key' ? other : pinned);
        if (path === HubRoutes.myGroups.path) return json(200, me);
        if (path.endsWith('/sessions')) return json(200, { sessions: [], next: null });
        return json(404, { error: { code: 'not-found', message: 'no' } });
    }
  };

  before(async () => {
    server = createServer(answer);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    companion = createCompanion({ dataDir: scratch.dir, mdns: false, serial: false, hotplug: false, hubTimeoutMs: 1500, hubRetryMs: 60_000, events: () => undefined });
  });
  after(async () => {
    await companion?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    scratch.cleanup();
  });

  const connectRefused = async (m: Mode, code: string, sentence: RegExp) => {
    mode = m;
    await assert.rejects(companion.handlers['hub:connect']({ url, token: TOKEN }), (err: Error & { code?: string }) => {
      assert.equal(err.code, code, `${m}: ${err.message}`);
      assert.match(err.message, sentence);
      assert.ok(err.message.length < 1200 && !UNCLEAN.test(err.message), `${m}: a clean sentence: ${err.message.slice(0, 200)}`);
      return true;
    });
    const s = await companion.handlers['hub:status']({});
    assert.equal(s.connection, null, `${m}: nothing kept`);
  };

  test('before a hub is pinned: each bad answer refused in a sentence, nothing kept, the token sent to none', async () => {
    await connectRefused('garbage', 'conflict', /answered something that is not a hub’s answer/);
    await connectRefused('shape', 'conflict', /answered in a shape this companion does not read/);
    // 48 MB that is not JSON: refused as not a hub's answer, or as too late when reading it outlasts the deadline.
    mode = 'oversized';
    await assert.rejects(companion.handlers['hub:connect']({ url, token: TOKEN }), /not a hub’s answer|did not answer in time/);
    await connectRefused('slow', 'unreachable', /did not answer in time/);
    await connectRefused('mismatched', 'key-changed', /fingerprint that is not the one of the key it sends/);
    assert.deepEqual(tokensSeen, [], 'the token goes only after the key was read and checked');
    mode = 'hub';
    const s0 = await companion.handlers['hub:connect']({ url, token: TOKEN });
    assert.equal(s0.connection?.fingerprint, pinned.fingerprint);
  });

  test('after pinning: another key is refused before the token is sent, and said with both fingerprints', async () => {
    mode = 'other-key';
    tokensSeen.length = 0;
    await assert.rejects(companion.handlers['hub:sync']({}), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'key-changed');
      assert.ok(err.message.includes(other.fingerprint) && err.message.includes(pinned.fingerprint), err.message);
      return true;
    });
    await assert.rejects(companion.handlers['hub:registry-sync']({}), /nothing was sent to it/);
    await assert.rejects(companion.handlers['hub:connect']({ url }), /nothing was sent to it/);
    assert.deepEqual(tokensSeen, [], 'no member token reached the other key');
    const s = await companion.handlers['hub:status']({});
    assert.equal(s.connection?.fingerprint, pinned.fingerprint, 'the pin is kept');
    assert.equal(s.connection?.presentedFingerprint, other.fingerprint);
    assert.match(s.problem ?? '', /now shows the key/);
    // The real key again: the warning goes.
    mode = 'hub';
    const back = await companion.handlers['hub:sync']({});
    assert.equal(back.connection?.presentedFingerprint, null);
    assert.equal(back.problem, null);
  });

  test('after pinning: garbage, a slow hub and a refusal with escapes each leave a sentence and the companion up', async () => {
    for (const [m, sentence] of [
      ['garbage', /not a hub’s answer/],
      ['slow', /did not answer in time/],
      ['oversized', /not a hub’s answer|did not answer in time/],
      ['refuse-ansi', /refused the member token/],
    ] as const) {
      mode = m;
      await assert.rejects(companion.handlers['hub:sync']({}));
      const s = await companion.handlers['hub:status']({});
      assert.match(s.problem ?? '', sentence, m);
      assert.ok(!UNCLEAN.test(s.problem!) && s.problem!.length < 1200, `${m}: ${s.problem!.slice(0, 100)}`);
      if (m !== 'oversized') assert.equal(s.offline, m === 'slow', `${m}: offline only when it did not answer`);
    }
    mode = 'hub';
    assert.equal((await companion.handlers['hub:sync']({})).problem, null);
  });
});
