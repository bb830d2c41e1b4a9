import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startBrowserHost, type BrowserHost } from '../../../src/browser-host.js';
import { createDownloadTickets, type DownloadTickets } from '../../../src/download-tickets.js';
import { createEventHub } from '../../../src/event-hub.js';
import { buildHandlers } from '../../../src/handlers.js';
import { createFakeCore } from '../../helpers/fake-core.js';
import { raw } from '../../helpers/host-helpers.js';

/** Browser mode's support-export downloads: a staged file fetched once at its ticket's address. */
describe('browser host downloads', () => {
  const base = mkdtempSync(join(tmpdir(), 'pitwall-host-dl-'));
  let host: BrowserHost;
  let tickets: DownloadTickets;

  before(async () => {
    mkdirSync(join(base, 'renderer'));
    writeFileSync(join(base, 'renderer', 'index.html'), '<!doctype html><title>ok</title>');
    const events = createEventHub();
    tickets = createDownloadTickets(join(base, 'staged'));
    host = await startBrowserHost({ handlers: buildHandlers(createFakeCore(events.sink).handlers, { version: '0.0.1', mode: 'browser' }), events, rendererDir: join(base, 'renderer'), downloads: tickets });
  });
  after(async () => {
    await host.close();
    tickets.close();
    rmSync(base, { recursive: true, force: true });
  });

  const stage = async (name: string, body: string) => {
    const folder = (await tickets.downloads.folder({ kind: 'file', name }))!;
    const file = join(folder, name);
    writeFileSync(file, body);
    const told = tickets.downloads.deliver(file);
    assert.equal(told.savedTo, null, 'the staging path is not told to the page');
    assert.match(told.downloadUrl!, /^\/api\/download\/[A-Za-z0-9_-]{43}$/);
    return { file, url: told.downloadUrl! };
  };

  test('a staged file is sent once as an attachment, then gone from disk', async () => {
    const { file, url } = await stage('pitwall "odd" name.log', 'log lines\n');
    const res = await raw(host.port, { path: url });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'log lines\n');
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    assert.equal(res.headers['content-disposition'], `attachment; filename="pitwall__odd__name.log"; filename*=UTF-8''pitwall%20%22odd%22%20name.log`);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    for (let i = 0; i < 50 && existsSync(dirname(file)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(existsSync(dirname(file)), false, 'the staged copy is removed once sent');
    const again = await raw(host.port, { path: url });
    assert.equal(again.status, 404);
  });

  test('unknown, malformed and guessed tickets get 404; a foreign Host gets 403 and keeps the ticket', async () => {
    const { url } = await stage('a.log', 'a');
    for (const path of ['/api/download/', '/api/download/x', `/api/download/${'A'.repeat(43)}`, `${url}x`, `${url}/../x`, '/api/download/..%2f..%2fetc%2fpasswd']) {
      const res = await raw(host.port, { path });
      assert.equal(res.status, 404, path);
    }
    const foreign = await raw(host.port, { path: url, headers: { Host: 'evil.example' } });
    assert.equal(foreign.status, 403);
    assert.equal((await raw(host.port, { path: url })).status, 200, 'the refused request did not use the ticket');
  });
});
