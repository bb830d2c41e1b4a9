import { isIPv4, isIPv6 } from 'node:net';
import { sql, type Kysely } from 'kysely';
import type { HubTables } from './db/tables.js';
import { HubRefusal } from './hub-refusal.js';

const MINUTE_MS = 60_000;

/**
 * Who a request counts against: an IPv4 address, or an IPv6 address's /64 (one host is given a
 * whole /64 and may use any address in it, so a limit per IPv6 address would limit nothing).
 */
export function sourceKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped) return mapped;
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Spends one request of `bucket`'s allowance for the current minute, or refuses it with 429 and
 * the seconds until the next minute. The count is a row (one upsert), so every hub process behind
 * a load balancer counts against the same allowance; a fixed window, so a client may send up to
 * twice the limit across the turn of a minute.
 */
export async function spendAllowance(db: Kysely<HubTables>, bucket: string, perMinute: number, now: number): Promise<void> {
  const minute = Math.floor(now / MINUTE_MS);
  const row = await db
    .insertInto('rate_limits')
    .values({ bucket, minute, count: 1 })
    .onConflict((oc) => oc.columns(['bucket', 'minute']).doUpdateSet({ count: sql<number>`rate_limits.count + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow();
  if (Number(row.count) <= perMinute) return;
  const retryAfterS = Math.max(1, Math.ceil(((minute + 1) * MINUTE_MS - now) / 1000));
  throw new HubRefusal(429, 'rate-limited', `Too many requests from your address (at most ${perMinute} a minute); try again in ${retryAfterS} s.`, retryAfterS);
}

/** Forgets the counts of minutes that are over. */
export async function purgeAllowances(db: Kysely<HubTables>, now: number): Promise<void> {
  await db.deleteFrom('rate_limits').where('minute', '<', Math.floor(now / MINUTE_MS)).execute();
}
