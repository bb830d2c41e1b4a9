import { request } from 'node:https';
import { routePath, Routes } from '@pitwall/protocol';
import { createSseParser, type SseEvent } from './sse-parser.js';

export interface LiveStream {
  readonly events: SseEvent[];
  /** Resolves when `pred` holds for the events so far (checked as they arrive). */
  until(pred: (events: SseEvent[]) => boolean, timeoutMs: number, what: string): Promise<void>;
  close(): void;
}

/** Opens GET /v1/live and keeps every event until closed. */
export function openLive(base: string, client: { keyPem: string; certPem: string }): Promise<LiveStream> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const waiters = new Set<() => void>();
    const req = request(`${base}${routePath(Routes.live)}`, { rejectUnauthorized: false, key: client.keyPem, cert: client.certPem }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`live: status ${res.statusCode}`));
      res.setEncoding('utf8');
      const parser = createSseParser();
      res.on('data', (chunk: string) => {
        events.push(...parser.push(chunk).events);
        for (const w of [...waiters]) w();
      });
      resolve(stream);
    });
    req.on('error', (err) => reject(err));
    const stream: LiveStream = {
      events,
      until(pred, timeoutMs, what) {
        return new Promise((ok, fail) => {
          const check = () => {
            if (!pred(events)) return;
            clearTimeout(timer);
            waiters.delete(check);
            ok();
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            fail(new Error(`live: ${what} not seen in ${timeoutMs} ms (${events.length} events)`));
          }, timeoutMs);
          waiters.add(check);
          check();
        });
      },
      close: () => req.destroy(),
    };

    req.end();
  });
}
