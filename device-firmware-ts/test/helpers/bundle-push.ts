import { request } from 'node:https';
import { Routes } from '@pitwall/protocol';
import type { OperatorCreds } from './https-client.js';

export interface PushAnswer {
  status: number;
  body: string;
}

/**
 * POSTs `chunks` to the unit's bundle push route as application/octet-stream (chunked), waiting
 * `delayMs` before each chunk: a bundle, a truncated one, a slow sender. Resolves with the answer.
 * `path`: another bundle upload route (recovery mode's install).
 */
export function pushBundle(
  port: number,
  client: OperatorCreds | undefined,
  chunks: Iterable<Uint8Array>,
  delayMs = 0,
  timeoutMs = 30_000,
  path: string = Routes.pushUpdate.path,
): Promise<PushAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      `https://127.0.0.1:${port}${path}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        agent: false,
        rejectUnauthorized: false,
        ...(client ? { key: client.keyPem, cert: client.certPem } : {}),
      },
      (res) => {
        answered = true;
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      },
    );
    // A refusal may come (and the unit close) before the whole body is sent: the answer counts.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('push: no answer in time')));
    void (async () => {
      for (const c of chunks) {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        if (req.destroyed || answered) return;
        if (!req.write(c)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })();
  });
}

/** `bytes` cut into pieces of `size`. */
export function* pieces(bytes: Uint8Array, size = 64 * 1024): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, Math.min(bytes.length, at + size));
}
