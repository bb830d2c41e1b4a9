import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { CompanionHandlers, EventName } from '@pitwall/protocol';
import type { DownloadTickets } from './download-tickets.js';
import type { EventHub } from './event-hub.js';
import { createDispatch, type DispatchOptions } from './handlers.js';
import { LiveWatches, handlersForClient } from './live-watches.js';
import { browserCsp, COMMON_HEADERS } from './security-headers.js';
import { readStaticFile } from './static-files.js';

export const WS_PROTOCOL = 'pitwall';
export const WS_TOKEN_PREFIX = 'bearer.';
export const CLIENT_HEADER = 'x-pitwall-client';
const DOWNLOAD_PREFIX = '/api/download/';
const BIND = '127.0.0.1';

export interface BrowserHostOptions {
  handlers: CompanionHandlers;
  events: EventHub;
  /** Directory of the built renderer (index.html, app.js, bridge.js, app.css). */
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Fixed token for tests; by default 32 random bytes, base64url, new on every launch. */
  token?: string;
  maxBodyBytes?: number;
  log?: (line: string) => void;
  onInternalError?: DispatchOptions['onInternalError'];
  /** Staged support-export downloads, fetched once at /api/download/<ticket>. */
  downloads?: DownloadTickets;
}

export interface BrowserHost {
  readonly port: number;
  readonly token: string;
  /** The URL to open: the token travels in the fragment, never to a server log. */
  readonly url: string;
  close(): Promise<void>;
}

interface Client {
  id: string;
  socket: WebSocket;
}

/**
 * Browser mode: the built renderer and the window.pitwall contract served on 127.0.0.1 only.
 * Guards, in order: Host header (DNS rebinding), Origin, per-launch bearer token, body size.
 */
export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const tokenBuf = Buffer.from(token);
  const maxBody = opts.maxBodyBytes ?? 64 * 1024;
  const log = opts.log ?? (() => undefined);
  const watches = new LiveWatches(opts.handlers);
  const clients = new Map<string, Client>();
  let port = 0;

  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const hostOk = (req: IncomingMessage): boolean => allowedHosts().includes(req.headers.host ?? '');
  /** Browsers always send Origin on cross-origin requests; when present it must be ours. */
  const originOk = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    return origin === undefined || allowedHosts().some((h) => origin === `http://${h}`);
  };
  const tokenOk = (presented: string | undefined): boolean => {
    if (!presented) return false;
    const buf = Buffer.from(presented);
    return buf.length === tokenBuf.length && timingSafeEqual(buf, tokenBuf);
  };
  const bearer = (req: IncomingMessage): string | undefined => {
    const m = /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(req.headers.authorization ?? '');
    return m?.[1];
  };

  const dispatchFor = (clientId: string) =>
    createDispatch(handlersForClient(opts.handlers, watches, clientId), { onInternalError: opts.onInternalError });

  const server: Server = createServer((req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      log(`browser host: request failed: ${String(err)}`);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: 'Request failed.' } });
      else res.destroy();
    });
  });

  const sendJson = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra });
    res.end(text);
  };
  const refuse = (res: ServerResponse, status: number, code: 'forbidden' | 'invalid-params' | 'unknown-method', message: string, extra?: Record<string, string>): void =>
    sendJson(res, status, { ok: false, error: { code, message } }, extra);

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostOk(req)) return refuse(res, 403, 'forbidden', 'Host not allowed.');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith(DOWNLOAD_PREFIX) && req.method === 'GET') return sendDownload(res, path.slice(DOWNLOAD_PREFIX.length));
    if (path.startsWith('/api/')) {
      if (!originOk(req)) return refuse(res, 403, 'forbidden', 'Origin not allowed.');
      if (!tokenOk(bearer(req))) return refuse(res, 401, 'forbidden', 'Missing or wrong token.', { 'WWW-Authenticate': 'Bearer' });
      if (path !== '/api/call') return refuse(res, 404, 'unknown-method', 'No such endpoint.');
      if (req.method !== 'POST') return refuse(res, 405, 'invalid-params', 'Use POST.', { Allow: 'POST' });
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') return refuse(res, 415, 'invalid-params', 'Send application/json.');
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBody) return tooLarge(req, res);
      const body = await readBody(req, maxBody);
      if (body === null) return tooLarge(req, res);
      let msg: unknown;
      try {
        msg = JSON.parse(body.toString('utf8'));
      } catch {
        return refuse(res, 400, 'invalid-params', 'The request body is not JSON.');
      }
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return refuse(res, 400, 'invalid-params', 'Send {"method", "params"}.');
      const { method, params } = msg as { method?: unknown; params?: unknown };
      const clientHeader = req.headers[CLIENT_HEADER];
      const clientId = typeof clientHeader === 'string' && clients.has(clientHeader) ? clientHeader : 'http';
      return sendJson(res, 200, await dispatchFor(clientId)(method, params));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...COMMON_HEADERS, Allow: 'GET, HEAD' });
      return void res.end();
    }
    const file = await readStaticFile(opts.rendererDir, path);
    if (!file) {
      res.writeHead(404, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end('Not found');
    }
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': file.contentType,
      'Content-Length': file.body.length,
      'Content-Security-Policy': browserCsp(port),
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  /** A staged download, once; the ticket is the capability (a link cannot carry the bearer token). */
  function sendDownload(res: ServerResponse, ticket: string): void {
    const staged = opts.downloads?.take(ticket) ?? null;
    if (!staged) return refuse(res, 404, 'unknown-method', 'No such download (each is fetched once, within 10 minutes).');
    const ascii = staged.name.replace(/[^A-Za-z0-9._-]/g, '_');
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': 'application/octet-stream',
      'Content-Length': statSync(staged.file).size,
      'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(staged.name)}`,
    });
    const stream = createReadStream(staged.file);
    stream.on('error', () => res.destroy());
    res.on('close', () => staged.done());
    stream.pipe(res);
  }

  function tooLarge(req: IncomingMessage, res: ServerResponse): void {
    refuse(res, 413, 'invalid-params', `The request body is larger than ${maxBody} bytes.`, { Connection: 'close' });
    req.resume();
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const reject = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const path = (req.url ?? '').split('?')[0];
    if (!hostOk(req) || !originOk(req)) return reject(403, 'Forbidden');
    if (path !== '/api/events') return reject(404, 'Not Found');
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const presented = offered.find((p) => p.startsWith(WS_TOKEN_PREFIX))?.slice(WS_TOKEN_PREFIX.length);
    if (!offered.includes(WS_PROTOCOL) || !tokenOk(presented)) return reject(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client: Client = { id: randomUUID(), socket: ws };
      clients.set(client.id, client);
      ws.send(JSON.stringify({ event: 'hello', payload: { client: client.id } }));
      ws.on('message', () => undefined);
      ws.on('error', () => undefined);
      ws.on('close', () => {
        clients.delete(client.id);
        void watches.release(client.id);
      });
    });
  });

  const unsubscribe = opts.events.subscribe((event: EventName, payload) => {
    const text = JSON.stringify({ event, payload });
    for (const c of clients.values()) {
      if (c.socket.readyState !== WebSocket.OPEN) continue;
      if (event.startsWith('live:') && !watches.isWatching(c.id, (payload as { id: string }).id)) continue;
      c.socket.send(text);
    }
  });

  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, BIND, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://${BIND}:${port}/#token=${token}`,
    async close() {
      unsubscribe();
      for (const c of clients.values()) c.socket.terminate();
      await Promise.all([...clients.keys()].map((id) => watches.release(id)));
      clients.clear();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reads a body up to `limit` bytes; null when it is larger. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
