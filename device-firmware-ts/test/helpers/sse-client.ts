import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createSseParser, type SseEvent } from './sse-parser.js';

export type { SseEvent } from './sse-parser.js';

/** Reads Server-Sent Events from a URL until `count` events of type `want` or the timeout. */
export function collectSse(
  url: string,
  want: string,
  count: number,
  timeoutMs = 5000,
  client?: { keyPem: string; certPem: string },
): Promise<{ events: SseEvent[]; headers: Record<string, string | string[] | undefined>; comments: string[] }> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const comments: string[] = [];
    const parser = createSseParser();
    const onResponse = (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE status ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      const finish = () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ events, headers: res.headers, comments });
      };
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`got ${events.length} of ${count} "${want}" events in ${timeoutMs} ms`));
      }, timeoutMs);
      res.on('end', () => {
        clearTimeout(timer);
        reject(new Error(`stream ended after ${events.length} events`));
      });
      // The unit cut the connection (e.g. the operator was revoked).
      res.on('close', () => {
        clearTimeout(timer);
        reject(new Error(`stream ended (connection closed) after ${events.length} events`));
      });
      res.on('data', (chunk: string) => {
        const got = parser.push(chunk);
        comments.push(...got.comments);
        for (const e of got.events) {
          events.push(e);
          if (events.filter((x) => x.event === want).length >= count) return finish();
        }
      });
    };
    // The unit is pinned by key fingerprint, not by a CA.
    const req = url.startsWith('https:')
      ? httpsRequest(url, { rejectUnauthorized: false, ...(client ? { key: client.keyPem, cert: client.certPem } : {}) }, onResponse)
      : httpRequest(url, onResponse);
    req.on('error', (err) => {
      if (events.length < count) reject(err);
    });
    req.end();
  });
}
