import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface ReceivedCall {
  method: string;
  params: unknown;
  headers: IncomingMessage['headers'];
}

/**
 * The browser host's two doors, on loopback, in this process: POST /api/call (bearer token)
 * and the /api/events WebSocket (token in the subprotocol, a hello with the client id first).
 * Answers come from `answer`; tests push events and cut sockets through the returned handle.
 */
export interface BridgeHost {
  url: string;
  calls: ReceivedCall[];
  sockets: Set<WebSocket>;
  /** How /api/call answers: a status and a body (JSON-encoded unless a string). */
  answer: (call: ReceivedCall) => { status: number; body: unknown };
  send(event: unknown): void;
  /** Resolves when a socket has said hello `n` times in all. */
  hellos(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startBridgeHost(token: string): Promise<BridgeHost> {
  let helloCount = 0;
  let waiters: Array<{ n: number; resolve(): void }> = [];
  const host: BridgeHost = {
    url: '',
    calls: [],
    sockets: new Set(),
    answer: () => ({ status: 200, body: { ok: true, value: {} } }),
    send(event) {
      for (const s of host.sockets) s.send(typeof event === 'string' ? event : JSON.stringify(event));
    },
    hellos: (n) => (helloCount >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () =>
      new Promise((resolve) => {
        for (const s of host.sockets) s.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/api/call') return void res.writeHead(404).end();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
      const { method, params } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { method: string; params: unknown };
      const call = { method, params, headers: req.headers };
      host.calls.push(call);
      const { status, body } = host.answer(call);
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  let clients = 0;
  const wss = new WebSocketServer({
    server,
    path: '/api/events',
    handleProtocols: (protocols) => (protocols.has(`bearer.${token}`) ? 'pitwall' : false),
  });
  wss.on('connection', (ws) => {
    host.sockets.add(ws);
    ws.on('close', () => host.sockets.delete(ws));
    ws.send(JSON.stringify({ event: 'hello', payload: { client: `client-${++clients}` } }));
    helloCount++;
    waiters = waiters.filter((w) => (w.n <= helloCount ? (w.resolve(), false) : true));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return host;
}
