import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { HubRoutes } from '@pitwall/protocol';
import { buildHubServer } from '../../../src/server.js';
import { TestDatabases } from '../../helpers/hub-databases.js';
import { hubFixture, type HubFixture } from '../../helpers/hub-fixture.js';

// Slowloris: a client that sends its headers or its body a byte at a time (or nothing at all)
// holds a connection and a parser for as long as the server lets it. The hub cuts each at its
// limit (short ones here, so the test is quick), keeps answering others meanwhile, and many such
// clients at once change nothing either.
const LIMITS = { headersMs: 1_000, requestMs: 2_000, idleMs: 1_000, checkEveryMs: 200 };
const DRIP_MS = 250;

interface Slow {
  socket: Socket;
  closed: Promise<{ afterMs: number; answer: string }>;
  stop(): void;
}

/** A client that writes `head` and then one byte of `drip` every DRIP_MS, until the hub closes on it. */
function slowClient(port: number, head: string, drip: string): Slow {
  const socket = connect(port, '127.0.0.1');
  const t0 = performance.now();
  let answer = '';
  let i = 0;
  const timer = setInterval(() => {
    if (i < drip.length && !socket.destroyed) socket.write(drip[i++]!);
  }, DRIP_MS);
  socket.on('data', (d: Buffer) => (answer += d.toString()));
  socket.on('error', () => undefined);
  socket.write(head);
  const closed = new Promise<{ afterMs: number; answer: string }>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve({ afterMs: performance.now() - t0, answer });
    }),
  );
  return { socket, closed, stop: () => (clearInterval(timer), socket.destroy()) };
}

describe('slow and idle clients', () => {
  const dbs = new TestDatabases('sqlite');
  let f: HubFixture;
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    f = await hubFixture(dbs);
    app = buildHubServer({ db: f.hubDb.db, key: f.key, timeouts: LIMITS });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  after(async () => {
    await app.close();
    await dbs.close();
  });

  const keyStillServed = async () => {
    const res = await fetch(`http://127.0.0.1:${port}${HubRoutes.key.path}`);
    assert.equal(res.status, 200);
  };

  test('headers a byte at a time: cut at the header limit, others served meanwhile', async () => {
    const slow = slowClient(port, 'GET /hub/v1/key HTTP/1.1\r\n', 'Host: hub\r\nX-Slow: ' + 'a'.repeat(500));
    await keyStillServed();
    const { afterMs, answer } = await slow.closed;
    assert.ok(afterMs < LIMITS.headersMs + 4_000, `cut after ${Math.round(afterMs)} ms`);
    assert.ok(answer === '' || answer.startsWith('HTTP/1.1 408'), answer.slice(0, 80));
  });

  test('a body a byte at a time (each byte in time for the idle limit): cut at the request limit', async () => {
    const body = JSON.stringify({ purpose: 'live' }).padEnd(400, ' ');
    const slow = slowClient(port, `POST ${HubRoutes.challenge.path} HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body);
    await keyStillServed();
    const { afterMs } = await slow.closed;
    assert.ok(afterMs < LIMITS.requestMs + 4_000, `cut after ${Math.round(afterMs)} ms`);
    assert.ok(afterMs >= LIMITS.idleMs, 'a byte in time is not idle');
  });

  test('a connection that sends nothing: cut at the idle limit', async () => {
    const slow = slowClient(port, '', '');
    const { afterMs } = await slow.closed;
    assert.ok(afterMs < LIMITS.idleMs + 4_000, `cut after ${Math.round(afterMs)} ms`);
  });

  test('200 slow clients at once: all cut, the hub answers throughout and after', async () => {
    const slows = Array.from({ length: 200 }, (_, i) =>
      i % 2 ? slowClient(port, 'GET /hub/v1/key HTTP/1.1\r\n', 'Host: hub\r\n' + 'b'.repeat(500)) : slowClient(port, `POST ${HubRoutes.challenge.path} HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: 999\r\n\r\n`, '{'.repeat(999)),
    );
    try {
      for (let i = 0; i < 5; i++) await keyStillServed();
      const cut = await Promise.all(slows.map((s) => s.closed));
      const slowest = Math.max(...cut.map((c) => c.afterMs));
      assert.ok(slowest < LIMITS.requestMs + 8_000, `the slowest was cut after ${Math.round(slowest)} ms`);
      await keyStillServed();
    } finally {
      for (const s of slows) s.stop();
    }
  });
});
