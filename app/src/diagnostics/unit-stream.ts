import https from 'node:https';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { apiError, type Validator } from '@pitwall/protocol';
import type { Static, TSchema } from '@sinclair/typebox';
import { baseUrl, describe, UnitRequestError } from '../device-client/http-client.js';
import { transferDeadlineMs } from '../device-client/transfer-deadline.js';

export interface StreamOptions {
  agent: https.Agent;
  /** Idle timeout: no byte for this long fails the request (default 15 s). */
  idleMs?: number;
  /** Largest body accepted (default 64 MiB for JSON documents; streams are unbounded). */
  maxBytes?: number;
  signal?: AbortSignal;
  /** Ask the unit to gzip the body (undone here, before `onData`); a unit may still send it plain. */
  gzip?: boolean;
  /** The whole request ends by then, however steadily the unit sends (see transferDeadlineMs). */
  deadlineMs?: number;
}

/**
 * Decompressed bytes may be at most this many times the compressed ones (once past 16 MiB):
 * NDJSON logs compress 10-30x, repetitive ones maybe 100x; a deflate bomb about 1000x.
 */
export const MAX_GZIP_RATIO = 200;
const RATIO_FLOOR = 16 * 1024 * 1024;

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
    /** The consumer is writing: the idle timer is off meanwhile. */
    let waiting = false;
    /** The decompressing stream, when the unit sent gzip. */
    let gunzip: Readable | null = null;
    const finish = (err: Error | null, status = 0): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(overall);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) {
        request.destroy();
        gunzip?.destroy();
        reject(err);
      } else resolve(status);
    };
    // Restarted on every chunk: refresh() is cheap, a new timer per chunk is not.
    const arm = (): void => {
      if (waiting || settled) return;
      if (timer) timer.refresh();
      else timer = setTimeout(() => finish(new UnitRequestError('unreachable', `${target} stopped sending ${path} (nothing for ${idleMs} ms)`)), idleMs);
    };
    const onAbort = (): void => finish(new UnitRequestError('unreachable', `pull from ${target} was cancelled`));
    const overall = opts.deadlineMs === undefined ? undefined : setTimeout(() => finish(new UnitRequestError('unreachable', `${target} took more than ${Math.round(opts.deadlineMs! / 1000)} s to send ${path}: it sends too slowly`)), opts.deadlineMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const headers = { accept: 'application/x-ndjson, application/json', 'accept-encoding': opts.gzip ? 'gzip' : 'identity' };
    const request = https.request(`${baseUrl(target)}${path}`, { method: 'GET', agent: opts.agent, headers }, (res) => {
      const status = res.statusCode ?? 0;
      arm();
      if (status < 200 || status > 299) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c));
        res.on('end', () => finish(refusal(target, path, status, Buffer.concat(chunks).toString('utf8'))));
        res.on('error', (e) => finish(new UnitRequestError('unreachable', `the connection to ${target} broke while reading (${describe(e)})`)));
        return;
      }
      const encoding = String(res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      if (encoding !== 'identity' && !(encoding === 'gzip' && opts.gzip)) {
        res.resume();
        return finish(new UnitRequestError('not-a-unit', `${target} answered ${path} in an encoding it was not asked for (${encoding.slice(0, 40)})`));
      }
      let body: Readable = res;
      if (encoding === 'gzip') {
        const z = createGunzip({ chunkSize: 64 * 1024 });
        let wire = 0;
        let out = 0;
        res.on('data', (c: Buffer) => {
          wire += c.length;
          arm();
        });
        z.on('data', (c: Buffer) => {
          out += c.length;
          if (out > RATIO_FLOOR && out > wire * MAX_GZIP_RATIO) finish(new UnitRequestError('not-a-unit', `${target} sent ${path} compressed more than ${MAX_GZIP_RATIO}:1 (${out} bytes from ${wire}): not log records`));
        });
        z.on('error', (e) => finish(new UnitRequestError('not-a-unit', `${target} sent ${path} as corrupt gzip (${e.message})`)));
        body = gunzip = res.pipe(z);
      }
      body.on('data', (chunk: Buffer) => {
        if (settled) return;
        arm();
        try {
          const wait = onData(chunk);
          // The consumer is behind (its disk): no more data until it has caught up.
          if (wait) {
            clearTimeout(timer);
            timer = undefined;
            waiting = true;
            body.pause();
            wait.then(
              () => {
                waiting = false;
                arm();
                body.resume();
              },
              (err: unknown) => finish(err as Error),
            );
          }
        } catch (err) {
          finish(err as Error);
        }
      });
      body.on('end', () => finish(null, status));
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

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** GET a JSON document larger than the discovery client allows (crash dumps), validated. */
export async function getLargeJson<T extends TSchema>(target: string, path: string, check: Validator<T>, opts: StreamOptions): Promise<Static<T>> {
  const max = opts.maxBytes ?? 64 * 1024 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  await streamGet(target, path, { deadlineMs: transferDeadlineMs(max), ...opts }, (c) => {
    size += c.length;
    if (size > max) throw new UnitRequestError('not-a-unit', `${target} sent more than ${max} bytes for ${path}`);
    chunks.push(c);
  });
  let text: string;
  try {
    text = strictUtf8.decode(Buffer.concat(chunks));
  } catch {
    throw new UnitRequestError('not-a-unit', `${target} answered ${path} with bytes that are not valid UTF-8`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UnitRequestError('not-a-unit', `${target} answered ${path} with something that is not JSON`);
  }
  try {
    return check.parse(body);
  } catch (err) {
    throw new UnitRequestError('not-a-unit', `${target} answered ${path} but not as a Pitwall unit would (${(err as Error).message})`);
  }
}
