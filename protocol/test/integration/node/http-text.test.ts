import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AnswerTooLargeError, requestText, TimeoutError } from '../../../src/node/http-text.js';

// The hub client's transport: answers read whole, a slow or endless peer cut off, and kept-alive
// connections that never keep a CLI process running after its last call.
describe('requestText', () => {
  let server: Server;
  let base: string;
  const seen: { method: string; body: string; length: string | undefined }[] = [];
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, body, length: req.headers['content-length'] });
        if (req.url === '/slow') return; // never answers
        if (req.url === '/endless') {
          res.writeHead(200);
          const more = () => res.write('x'.repeat(64 * 1024), (err) => err || res.destroyed || setImmediate(more));
          return more();
        }
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: body, é: '🏁' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('sends the body with its length and reads the whole answer as UTF-8 text', async () => {
    const body = JSON.stringify({ name: 'Ærø 東京', pad: 'p'.repeat(200_000) });
    const a = await requestText(new URL('/ok', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body, timeoutMs: 5000, maxBytes: 1 << 20 });
    assert.equal(a.status, 201);
    assert.deepEqual(JSON.parse(a.text), { echo: body, é: '🏁' });
    assert.equal(seen.at(-1)!.length, String(Buffer.byteLength(body)));
  });

  test('a peer that does not answer in time: TimeoutError, named as fetch names it', async () => {
    await assert.rejects(requestText(new URL('/slow', base), { method: 'GET', headers: {}, timeoutMs: 200, maxBytes: 1000 }), (e: Error) => e instanceof TimeoutError && e.name === 'TimeoutError' && /timeout/.test(e.message));
  });

  test('an answer that does not stop: refused once past maxBytes, not read on', async () => {
    await assert.rejects(requestText(new URL('/endless', base), { method: 'GET', headers: {}, timeoutMs: 10_000, maxBytes: 1 << 20 }), AnswerTooLargeError);
  });

  test('a refused connection and a scheme that is not HTTP are errors, not hangs', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    closed.close();
    await assert.rejects(requestText(new URL(`http://127.0.0.1:${port}/`), { method: 'GET', headers: {}, timeoutMs: 5000, maxBytes: 1000 }), /ECONNREFUSED/);
    await assert.rejects(requestText(new URL('ftp://127.0.0.1/'), { method: 'GET', headers: {}, timeoutMs: 5000, maxBytes: 1000 }), /ftp: is not HTTP/);
  });

  test('a process exits right after its last call: the kept-alive connection does not hold it', async () => {
    const module = fileURLToPath(new URL('../../../src/node/http-text.ts', import.meta.url));
    const script = `const { requestText } = await import(${JSON.stringify(module)}); const a = await requestText(new URL('/ok', ${JSON.stringify(base)}), { method: 'GET', headers: {}, timeoutMs: 5000, maxBytes: 1000 }); console.log(a.status);`;
    // The answer's time is printed; the process's end is timed here. The server keeps idle
    // connections for 5 s: a held process would end that long after its answer.
    // Not spawnSync: the server answering it lives in this process.
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `${script} console.log(Date.now());`], { encoding: 'utf8', timeout: 20_000 });
    const ended = Date.now();
    const [status, answeredAt] = run.stdout.trim().split('\n');
    assert.equal(status, '201', run.stderr);
    assert.ok(ended - Number(answeredAt) < 3000, `the process ended ${ended - Number(answeredAt)} ms after its answer`);
  });
});
