import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** Statements with more parameters than this are one-offs (a batch insert of many rows): never named. */
const MAX_PARAMETERS = 100;
/** Statements named on one connection at most; later new ones run unnamed. */
const MAX_NAMED = 200;

/**
 * A pool for Kysely whose connections prepare each statement once, by name: PostgreSQL parses and
 * plans it at its first run on a connection, not at every run. The hub runs a few statements many
 * times (a member's token, the rights of a batch, the batch itself), and planning an unnamed one
 * each time was most of PostgreSQL's cost per request. Kysely cannot name a statement; its pool
 * can. Bounded per connection: one-off statements with many parameters are not kept, and at most
 * MAX_NAMED texts are (a plan kept is up to a few hundred KiB of the backend's memory: the hub's
 * hot statements are written so that their text does not change with the size of a request).
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  // Kysely keeps a connection object per client it is given: each pg client is wrapped once.
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let w = wrapped.get(client);
      if (!w) wrapped.set(client, (w = preparingClient(client)));
      return w;
    },
    end: () => pool.end(),
  };
}

function preparingClient(client: pg.PoolClient): PostgresPoolClient {
  const names = new Map<string, string>();
  const query = (sqlOrCursor: unknown, parameters?: readonly unknown[]): unknown => {
    if (typeof sqlOrCursor !== 'string' || !parameters) return client.query(sqlOrCursor as pg.Submittable);
    let name = names.get(sqlOrCursor);
    if (name === undefined && parameters.length > 0 && parameters.length <= MAX_PARAMETERS && names.size < MAX_NAMED) names.set(sqlOrCursor, (name = `hub_${names.size}`));
    return name === undefined ? client.query(sqlOrCursor, [...parameters]) : client.query({ name, text: sqlOrCursor, values: [...parameters] });
  };
  return { query: query as PostgresPoolClient['query'], release: (destroy?: boolean) => client.release(destroy) };
}
