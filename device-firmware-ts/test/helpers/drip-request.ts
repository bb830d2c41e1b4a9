import { connect } from 'node:tls';
import { REQUEST_TIMEOUT_MS } from '../../src/api/unit-server-options.js';
import type { OperatorCreds } from './https-client.js';

/**
 * A request whose JSON body drips in a byte a second (`METHOD path`, 4000 bytes announced): the
 * unit must cut it once the request deadline passes. Resolves with the raw answer and when the
 * socket closed.
 */
export function drip(port: number, op: OperatorCreds, method: string, path: string): Promise<{ answer: string; afterMs: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let answer = '';
    const socket = connect({ host: '127.0.0.1', port, key: op.keyPem, cert: op.certPem, rejectUnauthorized: false }, () => {
      socket.write(`${method} ${path} HTTP/1.1\r\nhost: unit\r\ncontent-type: application/json\r\ncontent-length: 4000\r\n\r\n{`);
    });
    const timer = setInterval(() => socket.writable && socket.write(' '), 1000);
    socket.on('data', (d: Buffer) => (answer += String(d)));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, afterMs: performance.now() - start });
    });
    setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`the dripping request was not cut within ${REQUEST_TIMEOUT_MS + 30_000} ms`));
    }, REQUEST_TIMEOUT_MS + 30_000).unref();
  });
}
