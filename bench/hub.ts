// npm run bench -- hub: 10,000 units registering with a hub (challenge, signature, registration
// each), on SQLite and on PostgreSQL: registrations per second and p99 latency of a whole
// registration, against a bare baseline measured in the same run: the same unit rows inserted
// one statement each into a fresh database of the same kind through the same driver, at the
// same concurrency. The hub runs as its own `pitwall-hub serve` process; the units are this
// process (keys made beforehand, signing timed as part of each registration).
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubClient, publicKeyBase64, signRegistrationRequest } from '@pitwall/protocol/node';
import { openDatabase, type DatabaseTarget } from '../hub/src/db/open-database.js';
import { startPostgresCluster, type PostgresCluster } from '../hub/test/helpers/postgres-cluster.js';
import { startHubProcess } from '../hub/test/helpers/hub-process.js';

const UNITS = Number(process.env.HUB_BENCH_UNITS ?? 10_000);
const CONCURRENCY = 32;

interface BenchUnit {
  unitId: string;
  model: string;
  key: KeyObject;
  publicKey: string;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function inParallel<T>(items: T[], work: (item: T) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
  return (performance.now() - t0) / 1000;
}

async function registrations(target: DatabaseTarget, dir: string, units: BenchUnit[]) {
  // Every unit registers from this one address: the per-address rate limit is off for the bench.
  const hub = await startHubProcess(target, dir, join(dir, 'hub-key.pem'), ['--rate-limit', '0']);
  try {
    const client = new HubClient(hub.url);
    const latencies: number[] = [];
    const seconds = await inParallel(units, async (u) => {
      const t = performance.now();
      await client.register(signRegistrationRequest(u.key, u, await client.challenge('live')));
      latencies.push(performance.now() - t);
    });
    latencies.sort((a, b) => a - b);
    const floorSeconds = await inParallel(units, async () => {
      await client.key();
      await client.key();
    });
    return { rate: units.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), httpFloor: units.length / floorSeconds };
  } finally {
    await hub.stop();
  }
}

async function bareInserts(target: DatabaseTarget, units: BenchUnit[]) {
  const hubDb = await openDatabase(target, { poolSize: CONCURRENCY });
  try {
    const at = new Date().toISOString();
    const seconds = await inParallel(units, async (u) => {
      await hubDb.db
        .insertInto('units')
        .values({ unit_id: u.unitId, public_key: u.publicKey, fingerprint: 'SHA256:-', model: u.model, registered_at: at, owner_id: null, claimed_by: null })
        .execute();
    });
    return units.length / seconds;
  } finally {
    await hubDb.close();
  }
}

export async function runHubBench(): Promise<void> {
  const units: BenchUnit[] = Array.from({ length: UNITS }, () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    return { unitId: randomUUID(), model: 'PW-1', key: privateKey, publicKey: publicKeyBase64(privateKey) };
  });
  console.log(`${UNITS} units registering, ${CONCURRENCY} at a time; baseline: the same rows as bare INSERTs, same concurrency, same database kind`);
  console.log('database   registrations/s   p50 ms   p99 ms   bare inserts/s   ratio   HTTP floor/s   ratio');
  let cluster: PostgresCluster | null = null;
  const dir = await mkdtemp(join(tmpdir(), 'pitwall-hub-bench-'));
  try {
    for (const kind of ['sqlite', 'postgres'] as const) {
      const target = async (name: string): Promise<DatabaseTarget> => {
        if (kind === 'sqlite') return { kind, file: join(dir, `${name}.sqlite`) };
        cluster ??= await startPostgresCluster();
        return { kind, url: await cluster.createDatabase() };
      };
      const reg = await registrations(await target('hub'), dir, units);
      const bare = await bareInserts(await target('bare'), units);
      console.log(
        `${kind.padEnd(10)} ${reg.rate.toFixed(0).padStart(15)}   ${reg.p50.toFixed(1).padStart(6)}   ${reg.p99.toFixed(1).padStart(6)}   ${bare.toFixed(0).padStart(14)}   ${(reg.rate / bare).toFixed(2).padStart(5)}   ${reg.httpFloor.toFixed(0).padStart(12)}   ${(reg.rate / reg.httpFloor).toFixed(2).padStart(5)}`,
      );
    }
  } finally {
    await (cluster as PostgresCluster | null)?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
