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
