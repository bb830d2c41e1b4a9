import http from 'node:http';
import https from 'node:https';

/** Connections kept open between calls (a sync makes many to one hub); idle ones never hold a process open. */
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

export interface TextAnswer {
  status: number;
  text: string;
}

/** The request took longer than its deadline (connecting, sending or reading). Named as fetch names it. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** The answer's body was longer than the caller reads. */
export class AnswerTooLargeError extends Error {
  override readonly name = 'AnswerTooLargeError';
}

/**
 * One HTTP(S) request and its answer as text, all within `timeoutMs`, a body past `maxBytes`
 * refused as it arrives. Node's own client on kept-alive connections rather than fetch: a hub
 * call costs its caller a third of fetch's CPU (measured with 100 calls at once of a day's
 * sessions), which matters when a hub serves many companions and when a test machine runs both.
 */
export function requestText(url: URL, opts: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number; maxBytes: number }): Promise<TextAnswer> {
  const lib = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
  if (!lib) return Promise.reject(new Error(`${url.protocol} is not HTTP`));
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  return new Promise((resolve, reject) => {
    const req = lib.request(url, {
      method: opts.method,
      agent: agents[url.protocol as 'http:' | 'https:'],
      headers: body ? { ...opts.headers, 'content-length': String(body.length) } : opts.headers,
    });
    const fail = (err: Error) => {
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new TimeoutError(`The operation was aborted due to timeout after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('error', fail);
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > opts.maxBytes) fail(new AnswerTooLargeError(`answered more than ${opts.maxBytes} bytes`));
        else parts.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') });
      });
    });
    req.end(body);
  });
}
