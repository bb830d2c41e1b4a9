import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrowserHost, type BrowserHost } from '../../src/browser-host.js';
import { createEventHub } from '../../src/event-hub.js';
import { buildHandlers } from '../../src/handlers.js';
import { createFakeCore, type FakeCore } from './fake-core.js';

export interface TestHost {
  host: BrowserHost;
  core: FakeCore;
  root: string;
  close(): Promise<void>;
}

/** A browser host over the fake core, serving a tiny renderer dir with a secret file beside it. */
export async function startTestHost(): Promise<TestHost> {
  const base = mkdtempSync(join(tmpdir(), 'pitwall-host-'));
  const root = join(base, 'renderer');
  mkdirSync(root);
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>ok</title>');
  writeFileSync(join(root, 'app.js'), 'console.log(1)');
  writeFileSync(join(base, 'secret.js'), 'SECRET');
  writeFileSync(join(base, 'secret.html'), 'SECRET');
  const events = createEventHub();
  const core = createFakeCore(events.sink);
  const host = await startBrowserHost({ handlers: buildHandlers(core.handlers, { version: '0.0.1', mode: 'browser' }), events, rendererDir: root });
  return { host, core, root, close: () => host.close() };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** A raw HTTP request (paths are sent as given, headers as given, Host included). */
export function raw(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: { Host: `127.0.0.1:${port}`, ...opts.headers }, agent, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function api(h: TestHost, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return raw(h.host.port, {
    method: 'POST',
    path: '/api/call',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${h.host.token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
