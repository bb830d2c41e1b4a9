import { request, type Agent } from 'node:https';
import { routeName, Routes, sessionList, type SessionMeta } from '@pitwall/protocol';
import { https, type OperatorCreds } from './https-client.js';

export async function listSessions(base: string, client: OperatorCreds): Promise<SessionMeta[]> {
  const res = await https(base, 'GET', Routes.sessions.path, { client });
  if (res.status !== 200) throw new Error(`${routeName(Routes.sessions)}: ${res.status} ${res.body}`);
  return sessionList.parse(JSON.parse(res.body)).sessions;
}

/** Polls the session list until `pred` finds an entry. */
export async function waitForSession(base: string, client: OperatorCreds, pred: (m: SessionMeta) => boolean, timeoutMs: number, what: string): Promise<SessionMeta> {
  const deadline = Date.now() + timeoutMs;
  let last: SessionMeta[] = [];
  while (Date.now() < deadline) {
    last = await listSessions(base, client);
    const hit = last.find(pred);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no session ${what} in ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

export interface BinRes {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET whose body is kept as bytes. */
export function getBytes(base: string, path: string, client: OperatorCreds, headers: Record<string, string> = {}, agent?: Agent): Promise<BinRes> {
  return new Promise((resolve, reject) => {
    const tls = agent ? { agent } : { agent: false as const, rejectUnauthorized: false, key: client.keyPem, cert: client.certPem };
    const req = request(`${base}${path}`, { method: 'GET', headers, ...tls }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path}: no response in time`)));
    req.end();
  });
}
