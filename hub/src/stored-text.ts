import type { FastifyInstance } from 'fastify';
import { HubRefusal } from './hub-refusal.js';

// NUL cannot be stored in PostgreSQL text (the query fails), and a lone UTF-16 surrogate has no
// UTF-8 form (both drivers store U+FFFD instead: the text would change silently). Neither is in
// any name, id or cursor a person or a companion writes.
// eslint-disable-next-line no-control-regex -- NUL is what is looked for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Refuses a request whose params, query or body holds a string (or a key) the hub could not
 * store as sent, before any handler reads it, so SQLite and PostgreSQL refuse it alike. The walk
 * keeps its own stack: a deeply nested body does not overflow the call stack.
 */
export function refuseUnstorableText(...values: unknown[]): void {
  const stack = [...values];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) throw new HubRefusal(400, 'invalid-text', 'The request holds text the hub cannot store: a NUL character or a lone UTF-16 surrogate.');
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) stack.push(k, x);
    }
  }
}

/** Bodies parsed from JSON text that cannot hold unstorable text (see storedTextJsonParser). */
const cleanBodies = new WeakSet<object>();

/** A request body that still needs refuseUnstorableText's walk (undefined when it was cleared as parsed). */
export const bodyToCheck = (body: unknown): unknown => (body !== null && typeof body === 'object' && cleanBodies.has(body) ? undefined : body);

/**
 * The hub's JSON body parser: Fastify's own (prototype and constructor poisoning refused), noting
 * which bodies need no walk for unstorable text. JSON text writes NUL only as the escape \u0000 and
 * a lone surrogate only as a \uD800-\uDFFF escape (raw control characters are not JSON, and text
 * decoded from UTF-8 holds no lone surrogate), so a body whose text has no `\u` holds neither: the
 * walk over every lap of a day's batch is spent only on the rare body that has an escape.
 */
export function useStoredTextJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, text, done) => {
    parse(req, text as string, (err, body) => {
      if (!err && body !== null && typeof body === 'object' && !(text as string).includes('\\u')) cleanBodies.add(body as object);
      done(err, body);
    });
  });
}
