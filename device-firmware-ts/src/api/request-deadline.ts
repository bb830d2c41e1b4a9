import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route streams its request body (the table's `upload`): its own limits govern it. */
    upload?: 'bytes';
  }
}

/** Answers a request that did not arrive in time (or could not be parsed) on its socket, then closes it. */
export function answerOnSocket(socket: Socket, status: string, body: unknown): void {
  if (!socket.writable) return void socket.destroy();
  const text = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  // A peer that stops reading must not hold the socket open.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * The whole request must arrive within `ms` after its headers, except on a route that streams
 * its upload (a bundle over a track's Wi-Fi takes minutes): there the route's own deadline and
 * idle limit govern. Node's server-wide `requestTimeout` cannot make that exception, so the
 * server's is off and this hook keeps the rule for every other route.
 */
export function limitRequestTime(app: FastifyInstance, ms: number, timedOut: () => unknown): void {
  app.addHook('onRequest', (req, reply, done) => {
    if (req.raw.complete || req.routeOptions.config?.upload) return done();
    const timer = setTimeout(() => {
      if (!req.raw.complete) answerOnSocket(req.raw.socket, '408 Request Timeout', timedOut());
    }, ms);
    timer.unref();
    reply.raw.once('close', () => clearTimeout(timer));
    done();
  });
}
