import { createReadStream } from 'node:fs';
import https from 'node:https';
import { Routes } from '@pitwall/protocol';
import { baseUrl, describe, PinMismatchError, UnitRequestError, type UnitResponse } from '../device-client/http-client.js';
import { presentedKeyOf } from '../device-client/unit-agent.js';

export interface UploadOptions {
  target: string;
  agent: https.Agent;
  file: string;
  size: number;
  /** Bytes the unit has taken so far (counted as they leave for the socket). */
  onBytes: (sent: number) => void;
  /** The whole push: upload, the unit's verification and install (it answers once installed). */
  timeoutMs: number;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs a bundle file to a unit's push route, streamed from disk (never the whole file in
 * memory), with its length. Resolves with the unit's answer, whatever its status; throws
 * UnitRequestError when the connection fails or the answer does not come in time.
 */
export function uploadBundle(o: UploadOptions): Promise<UnitResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const file = createReadStream(o.file, { highWaterMark: 256 * 1024 });
    const fail = (message: string, kind: 'unreachable' | 'key-changed' = 'unreachable') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      file.destroy();
      req.destroy();
      reject(new UnitRequestError(kind, message));
    };
    const req = https.request(
      `${baseUrl(o.target)}${Routes.pushUpdate.path}`,
      { method: 'POST', agent: o.agent, headers: { 'content-type': 'application/octet-stream', 'content-length': o.size, accept: 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(c);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          file.destroy();
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), presented: presentedKeyOf(res.socket) ?? null });
        });
        res.on('error', (err) => fail(`the connection to ${o.target} broke while reading its answer (${describe(err)})`));
      },
    );
    let sent = 0;
    file.on('data', (c) => {
      sent += c.length;
      o.onBytes(sent);
    });
    file.on('error', (err) => fail(`could not read ${o.file}: ${describe(err)}`));
    // A unit that refuses early may close while the body is still going: its answer, if read, wins.
    req.on('error', (err) => (err instanceof PinMismatchError ? fail(err.message, 'key-changed') : fail(`the push to ${o.target} failed (${describe(err)})`)));
    const timer = setTimeout(() => fail(`${o.target} did not finish the update within ${Math.round(o.timeoutMs / 1000)} s`), o.timeoutMs);
    file.pipe(req);
  });
}
