import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { DeviceEntry } from '@pitwall/protocol';
import { startBridgeHost, type BridgeHost } from '../../helpers/bridge-host.js';
import { closePages, openPage } from '../../helpers/browser-page.js';

const TOKEN = 'tok_0123456789abcdefXYZ';
let host: BridgeHost;
before(async () => (host = await startBridgeHost(TOKEN)));
after(async () => {
  closePages();
  await host.close();
});
beforeEach(() => {
  host.calls.length = 0;
  host.answer = () => ({ status: 200, body: { ok: true, value: {} } });
});

test('the token leaves the address bar for sessionStorage; calls are POST /api/call with it, JSON in, the result out', async () => {
  host.answer = () => ({ status: 200, body: { ok: true, value: { version: '9.9.9', mode: 'browser' } } });
  const page = await openPage(`${host.url}/?x=1#token=${TOKEN}`);
  assert.equal(page.location.hash, '', 'the token is no longer in the address');
  assert.equal(page.location.search, '?x=1');
  assert.equal(page.storage.get('pitwall.token'), TOKEN);
  const res = await page.api.call('app:info', {});
  assert.deepEqual(res, { ok: true, value: { version: '9.9.9', mode: 'browser' } });
  const [seen] = host.calls;
  assert.deepEqual([seen?.method, seen?.params], ['app:info', {}]);
  assert.equal(seen?.headers['content-type'], 'application/json');
  // live:watch waits until the page's socket said hello; from then on calls name that socket.
  await page.api.call('live:watch', { id: 'u1' });
  assert.match(String(host.calls.at(-1)?.headers['x-pitwall-client']), /^client-\d+$/);
});

test('a reload keeps working from sessionStorage; a page without any token asks nothing and says what to open', async () => {
  const reloaded = await openPage(`${host.url}/`, new Map([['pitwall.token', TOKEN]]));
  assert.equal((await reloaded.api.call('devices:list', {})).ok, true);
  const before = host.calls.length;
  const bare = await openPage(`${host.url}/`);
  const res = await bare.api.call('devices:list', {});
  assert.equal(res.ok, false);
  assert.equal(!res.ok && res.error.code, 'forbidden');
  assert.match(!res.ok ? res.error.message : '', /pitwall serve/);
  assert.equal(host.calls.length, before);
});

test('a token not of the token\'s shape in the fragment is not taken', async () => {
  const page = await openPage(`${host.url}/#token=short`);
  assert.equal(page.storage.size, 0);
  assert.equal((await page.api.call('devices:list', {})).ok, false);
});

test('errors become sentences: 401 (old token), no JSON in the answer, companion gone', async () => {
  const stale = await openPage(`${host.url}/#token=tok_ffffffffffffffffffff`);
  const r401 = await stale.api.call('devices:list', {});
  assert.deepEqual(r401, { ok: false, error: { code: 'forbidden', message: 'The access token of this page is out of date. Open the address the companion printed at its last start.' } });

  host.answer = () => ({ status: 502, body: '<html>bad gateway</html>' });
  const page = await openPage(`${host.url}/#token=${TOKEN}`);
  const bad = await page.api.call('devices:list', {});
  assert.deepEqual(bad, { ok: false, error: { code: 'internal', message: 'The companion answered with HTTP 502 and no readable result.' } });

  host.answer = () => ({ status: 200, body: { ok: false, error: { code: 'not-found', message: 'No such unit.' } } });
  assert.deepEqual(await page.api.call('devices:status', { id: 'nope' }), { ok: false, error: { code: 'not-found', message: 'No such unit.' } });

  const gone = await openPage(`http://127.0.0.1:1/#token=${TOKEN}`);
  const lost = await gone.api.call('devices:list', {});
  assert.deepEqual(lost, { ok: false, error: { code: 'internal', message: 'Lost contact with the Pitwall companion. Is it still running?' } });
});

test('events reach their listeners; unknown names and unreadable messages reach nobody', async () => {
  const page = await openPage(`${host.url}/#token=${TOKEN}`);
  await page.api.call('live:watch', { id: 'u1' }); // answered once this page's socket said hello
  const got: unknown[] = [];
  page.api.on('devices:changed', (list) => got.push(list));
  assert.throws(() => page.api.on('no:such' as 'devices:changed', () => undefined), /unknown event/);
  host.send('{not json');
  host.send({ event: 'no:such', payload: 1 });
  host.send({ event: 'devices:changed', payload: [] });
  while (got.length === 0) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(got, [[]]);
});

test('after the socket drops the page reconnects, takes its live watches again and refreshes the unit list', async () => {
  const unit = { id: 'u6', name: 'Bay 1' } as unknown as DeviceEntry;
  host.answer = (c) => ({ status: 200, body: { ok: true, value: c.method === 'devices:list' ? [unit] : {} } });
  const page = await openPage(`${host.url}/#token=${TOKEN}`);
  const lists: unknown[] = [];
  page.api.on('devices:changed', (l) => lists.push(l));
  // live:watch waits for this page's socket to say hello, then goes out with its client id.
  assert.equal((await page.api.call('live:watch', { id: 'u6' })).ok, true);
  const watch = host.calls.find((c) => c.method === 'live:watch');
  assert.match(String(watch?.headers['x-pitwall-client']), /^client-/);
  const n = host.calls.length;
  // Every page's socket drops (earlier tests' pages too: they re-list the units, but watch nothing).
  for (const s of host.sockets) s.terminate();
  while (lists.length === 0) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(lists, [[unit]]);
  const again = host.calls.slice(n).map((c) => `${c.method} ${JSON.stringify(c.params)}`);
  assert.deepEqual(again.filter((c) => c.startsWith('live:watch {"id":"u6"')), ['live:watch {"id":"u6"}']);
  assert.ok(again.indexOf('live:watch {"id":"u6"}') < again.lastIndexOf('devices:list {}'), 'watches are taken again before the list is refreshed');
});

test('in Electron the preload already gave window.pitwall: the browser bridge leaves it alone', async () => {
  const g = globalThis as Record<string, unknown>;
  const electron = { call: () => Promise.resolve({ ok: true, value: 'electron' }), on: () => () => undefined };
  g.window = { pitwall: electron };
  g.location = new URL(`${host.url}/#token=${TOKEN}`);
  await import(`../../../src/browser-bridge.ts?electron=${Math.random()}`);
  assert.equal((g.window as { pitwall: unknown }).pitwall, electron);
  assert.equal((g.location as URL).hash, `#token=${TOKEN}`, 'the fragment is not touched');
});
