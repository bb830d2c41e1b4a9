import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { CLIENT_HEADER } from '../../../src/browser-host.js';
import { UNIT_A, UNIT_B } from '../../helpers/fake-core.js';
import { api, raw, startTestHost, type TestHost } from '../../helpers/host-helpers.js';

describe('browser host', () => {
  let h: TestHost;
  before(async () => {
    h = await startTestHost();
  });
  after(() => h.close());

  test('binds 127.0.0.1 and prints the token only in the URL fragment', () => {
    assert.match(h.host.url, new RegExp(`^http://127\\.0\\.0\\.1:${h.host.port}/#token=${h.host.token}$`));
    assert.match(h.host.token, /^[A-Za-z0-9_-]{43}$/);
  });

  test('a call with the token gets the envelope', async () => {
    const res = await api(h, { method: 'app:info', params: {} });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { ok: true, value: { version: '0.0.1', mode: 'browser' } });
  });

  test('no token or a wrong token -> 401', async () => {
    for (const auth of [undefined, 'Bearer', `Bearer ${h.host.token}x`, `Bearer ${h.host.token.slice(1)}`, `Basic ${h.host.token}`, h.host.token]) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (auth !== undefined) headers.Authorization = auth;
      const res = await raw(h.host.port, { method: 'POST', path: '/api/call', headers, body: '{"method":"devices:list","params":{}}' });
      assert.equal(res.status, 401, String(auth));
      assert.equal(JSON.parse(res.body).ok, false);
    }
    assert.deepEqual(h.core.calls, []);
  });

  test('a foreign Host header (DNS rebinding) -> 403, for the API and the page', async () => {
    for (const host of ['evil.example:' + h.host.port, `127.0.0.1:${h.host.port + 1}`, '127.0.0.1', `127.0.0.1.nip.io:${h.host.port}`, '']) {
      const res = await api(h, { method: 'devices:list', params: {} }, { Host: host });
      assert.equal(res.status, 403, host);
      const page = await raw(h.host.port, { path: '/', headers: { Host: host } });
      assert.equal(page.status, 403, host);
    }
    assert.equal((await api(h, { method: 'app:info' }, { Host: `localhost:${h.host.port}` })).status, 200);
  });

  test('a foreign Origin -> 403', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${h.host.port + 1}`, 'null', `https://127.0.0.1:${h.host.port}`]) {
      const res = await api(h, { method: 'devices:list', params: {} }, { Origin: origin });
      assert.equal(res.status, 403, origin);
    }
    assert.equal((await api(h, { method: 'app:info' }, { Origin: `http://127.0.0.1:${h.host.port}` })).status, 200);
  });

  test('unknown method and invalid params -> error envelope', async () => {
    const unknown = JSON.parse((await api(h, { method: 'fs:read', params: {} })).body);
    assert.equal(unknown.error.code, 'unknown-method');
    const invalid = JSON.parse((await api(h, { method: 'live:watch', params: { id: '../../etc' } })).body);
    assert.equal(invalid.error.code, 'invalid-params');
    const notJson = await api(h, '{"method":');
    assert.equal(notJson.status, 400);
    assert.equal(JSON.parse(notJson.body).error.code, 'invalid-params');
  });

  test('only POST application/json on /api/call', async () => {
    assert.equal((await raw(h.host.port, { path: '/api/call', headers: { Authorization: `Bearer ${h.host.token}` } })).status, 405);
    const form = await api(h, 'method=app:info', { 'Content-Type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.equal((await raw(h.host.port, { method: 'POST', path: '/api/other', headers: { Authorization: `Bearer ${h.host.token}` } })).status, 404);
  });

  test('a body over 64 KiB -> 413', async () => {
    const big = JSON.stringify({ method: 'devices:add-address', params: { address: 'x'.repeat(70 * 1024) } });
    const res = await api(h, big);
    assert.equal(res.status, 413);
    assert.equal(JSON.parse(res.body).ok, false);
  });

  test('static files are served with a strict CSP; traversal is refused', async () => {
    const index = await raw(h.host.port, { path: '/' });
    assert.equal(index.status, 200);
    const csp = String(index.headers['content-security-policy']);
    for (const part of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", `connect-src 'self' ws://127.0.0.1:${h.host.port}`]) {
      assert.ok(csp.includes(part), part);
    }
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    assert.equal((await raw(h.host.port, { path: '/app.js' })).status, 200);
    const attempts = ['/../secret.js', '/..%2fsecret.js', '/%2e%2e/secret.js', '/%2e%2e%2fsecret.js', '/..%5csecret.js', '/%2e%2e%5csecret.html', '/./../secret.js', '//../secret.js', '/app.js%00.html', '/%252e%252e/secret.js', '/.%2e/secret.js', '/renderer/../../secret.js'];
    for (const path of attempts) {
      const res = await raw(h.host.port, { path });
      assert.notEqual(res.status, 200, path);
      assert.ok(!res.body.includes('SECRET'), path);
    }
  });

  test('fuzz: thousands of random bodies never crash the host and always get JSON', async () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const methods: unknown[] = ['app:info', 'devices:list', 'devices:add-address', 'devices:forget', 'devices:status', 'live:watch', 'live:unwatch', '__proto__', 'constructor', '', 1, null, [], {}];
    const values = (): unknown => pick<() => unknown>([
      () => null,
      () => rnd(),
      () => 'x'.repeat(Math.floor(rnd() * 300)),
      () => UNIT_A,
      () => ({ id: pick([UNIT_A, 'zz', 1, null]) }),
      () => ({ address: pick(['127.0.0.1:1', '', 'a b', 5]) }),
      () => ({ __proto__: { id: UNIT_A } }),
      () => [1, 2, { id: UNIT_A }],
    ])();
    const bodies = (): string => {
      const kind = rnd();
      if (kind < 0.6) return JSON.stringify({ method: pick(methods), params: values() });
      if (kind < 0.8) return JSON.stringify(values());
      const base = JSON.stringify({ method: pick(methods), params: values() });
      const bytes = Buffer.from(base);
      for (let i = 0; i < 3; i++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      return bytes.toString('latin1');
    };
    for (let i = 0; i < 3000; i++) {
      const res = await api(h, bodies());
      assert.ok([200, 400].includes(res.status), `status ${res.status}`);
      const parsed = JSON.parse(res.body) as { ok: unknown };
      assert.equal(typeof parsed.ok, 'boolean');
    }
    assert.equal((await api(h, { method: 'app:info', params: {} })).status, 200);
  });

  const connect = (protocols: string[], headers: Record<string, string> = {}) =>
    new Promise<{ ws: WebSocket; hello: string }>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${h.host.port}/api/events`, protocols, { headers });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
      ws.once('message', (data) => resolve({ ws, hello: (JSON.parse(String(data)) as { payload: { client: string } }).payload.client }));
    });

  test('WebSocket without the token, with a wrong token, Host or Origin is refused', async () => {
    await assert.rejects(connect(['pitwall']), /HTTP 401/);
    await assert.rejects(connect(['pitwall', 'bearer.wrong']), /HTTP 401/);
    await assert.rejects(connect([`bearer.${h.host.token}`]), /HTTP 401/);
    await assert.rejects(connect(['pitwall', `bearer.${h.host.token}`], { Origin: 'http://evil.example' }), /HTTP 403/);
    await assert.rejects(connect(['pitwall', `bearer.${h.host.token}`], { Host: 'evil.example' }), /HTTP 403/);
  });

  test('live fixes go to watching clients only, and a client that disconnects releases its watches', async () => {
    const a = await connect(['pitwall', `bearer.${h.host.token}`]);
    const b = await connect(['pitwall', `bearer.${h.host.token}`]);
    const gotA: unknown[] = [];
    const gotB: unknown[] = [];
    a.ws.on('message', (d) => gotA.push(JSON.parse(String(d))));
    b.ws.on('message', (d) => gotB.push(JSON.parse(String(d))));
    const watch = JSON.parse((await api(h, { method: 'live:watch', params: { id: UNIT_B } }, { [CLIENT_HEADER]: a.hello })).body);
    assert.equal(watch.ok, true);
    assert.ok(h.core.watching.has(UNIT_B));
    h.core.emitFix(UNIT_B);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(gotA.length, 1);
    assert.equal(gotB.length, 0);
    a.ws.close();
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!h.core.watching.has(UNIT_B), 'watch released on disconnect');
    b.ws.close();
  });
});
