import https from 'node:https';
import { apiError, type Validator } from '@pitwall/protocol';
import type { Static, TSchema } from '@sinclair/typebox';
import { baseUrl, describe, UnitRequestError } from '../device-client/http-client.js';

export interface StreamOptions {
  agent: https.Agent;
  /** Idle timeout: no byte for this long fails the request (default 15 s). */
  idleMs?: number;
  /** Largest body accepted (default 64 MiB for JSON documents; streams are unbounded). */
  maxBytes?: number;
  signal?: AbortSignal;
}

/**
 * GET `path` and hand the body to `onData` chunk by chunk (a long NDJSON stream; when `onData`
 * returns a promise the body is paused until it settles). The promise
 * resolves with the HTTP status when the body has ended; a 4xx/5xx body is read whole and
 * thrown as UnitRequestError (`refused` with the unit's code when it sent an ApiError).
 */
export function streamGet(target: string, path: string, opts: StreamOptions, onData: (chunk: Buffer) => void | Promise<void>): Promise<number> {
  const idleMs = opts.idleMs ?? 15_000;
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: Error | null, status = 0): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) {
        request.destroy();
        reject(err);
      } else resolve(status);
    };
    // Restarted on every chunk: refresh() is cheap, a new timer per chunk is not.
    const arm = (): void => {
      if (timer) timer.refresh();
      else timer = setTimeout(() => finish(new UnitRequestError('unreachable', `${target} stopped sending ${path} (nothing for ${idleMs} ms)`)), idleMs);
    };
    const onAbort = (): void => finish(new UnitRequestError('unreachable', `pull from ${target} was cancelled`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const request = https.request(`${baseUrl(target)}${path}`, { method: 'GET', agent: opts.agent, headers: { accept: 'application/x-ndjson, application/json' } }, (res) => {
      const status = res.statusCode ?? 0;
      arm();
      if (status < 200 || status > 299) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c));
        res.on('end', () => finish(refusal(target, path, status, Buffer.concat(chunks).toString('utf8'))));
        res.on('error', (e) => finish(new UnitRequestError('unreachable', `the connection to ${target} broke while reading (${describe(e)})`)));
        return;
      }
      res.on('data', (chunk: Buffer) => {
        arm();
        try {
          const wait = onData(chunk);
          // The consumer is behind (its disk): no more data until it has caught up.
          if (wait) {
            clearTimeout(timer);
            timer = undefined;
            res.pause();
            wait.then(
              () => {
                arm();
                res.resume();
              },
              (err: unknown) => finish(err as Error),
            );
          }
        } catch (err) {
          finish(err as Error);
        }
      });
      res.on('end', () => finish(null, status));
      res.on('error', (e) => finish(new UnitRequestError('unreachable', `the connection to ${target} broke while reading (${describe(e)})`)));
      res.on('aborted', () => finish(new UnitRequestError('unreachable', `the connection to ${target} broke while reading`)));
    });
    request.on('error', (err) => {
      const e = err as NodeJS.ErrnoException & { name?: string };
      if (e.name === 'PinMismatchError') finish(new UnitRequestError('key-changed', e.message));
      else finish(new UnitRequestError('unreachable', `nothing answered at ${target} (${describe(err)})`));
    });
    arm();
    request.end();
  });
}

function refusal(target: string, path: string, status: number, text: string): UnitRequestError {
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  if (apiError.is(body) && status >= 400 && status < 500) return new UnitRequestError('refused', `${body.error.message} (${body.error.code})`, status, body.error.code);
  return new UnitRequestError('not-a-unit', `${target} answered ${path} with HTTP ${status}`, status);
}

/** GET a JSON document larger than the discovery client allows (crash dumps), validated. */
export async function getLargeJson<T extends TSchema>(target: string, path: string, check: Validator<T>, opts: StreamOptions): Promise<Static<T>> {
  const max = opts.maxBytes ?? 64 * 1024 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  await streamGet(target, path, opts, (c) => {
    size += c.length;
    if (size > max) throw new UnitRequestError('not-a-unit', `${target} sent more than ${max} bytes for ${path}`);
    chunks.push(c);
  });
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new UnitRequestError('not-a-unit', `${target} answered ${path} with something that is not JSON`);
  }
  if (!check.is(body)) {
    try {
      check.parse(body);
    } catch (err) {
      throw new UnitRequestError('not-a-unit', `${target} answered ${path} but not as a Pitwall unit would (${(err as Error).message})`);
    }
  }
  return body as Static<T>;
}
