// npm run bench -- hub: the hub's three figures of issue 16, each against its baseline in the
// same run, then a summary: (1) 10,000 units registering (bench/hub.ts; HUB_BENCH_UNITS=N),
// (2) 100 companions pushing a day of sessions against PostgreSQL COPY (bench/hub-ingest.ts;
// HUB_INGEST_COMPANIONS=N), (3) the fleet distribution of a track with 100,000 laps on the hub
// (bench/hub-fleet.ts; HUB_FLEET_LAPS=N) and on a laptop (bench/distributions.ts;
// DISTRIBUTIONS_LAPS=N, a multiple of 1,000). Any of them =0 leaves that part out.
import { runDistributionsBench, type DistributionsFigures } from './distributions.js';
import { HUB_FLEET_GOAL_MS, printHubFleetFigures, runHubFleetBench, type HubFleetFigures } from './hub-fleet.js';
import { runHubIngestBench } from './hub-ingest.js';
import { runHubBench as runRegistrationBench } from './hub.js';

const wanted = (variable: string) => process.env[variable] !== '0';

export async function runHubReport(): Promise<void> {
  const t0 = performance.now();
  const part = (n: number, title: string) => console.log(`\n-- hub ${n}/3: ${title} (${((performance.now() - t0) / 1000).toFixed(0)} s in) --`);
  if (wanted('HUB_BENCH_UNITS')) {
    part(1, 'units registering');
    await runRegistrationBench();
  }
  let ingest = new Map<number, number>();
  if (wanted('HUB_INGEST_COMPANIONS')) {
    part(2, 'companions pushing a day of sessions');
    ingest = await runHubIngestBench();
  }
  let hub: HubFleetFigures[] = [];
  let laptop: DistributionsFigures | null = null;
  if (wanted('HUB_FLEET_LAPS') || wanted('DISTRIBUTIONS_LAPS')) part(3, 'fleet distribution of a track, on the hub and on a laptop');
  if (wanted('HUB_FLEET_LAPS')) hub = await runHubFleetBench();
  if (wanted('DISTRIBUTIONS_LAPS')) {
    console.log('\nthe laptop (the companion\'s own SQLite):');
    laptop = await runDistributionsBench();
  }
  if (ingest.size) console.log(`\ningest, goal ≥ 0.5× of COPY: ${[...ingest].map(([n, r]) => `${r.toFixed(3)}× with ${n} hub process${n > 1 ? 'es' : ''}`).join(', ')}`);
  if (hub.length || laptop) {
    console.log(`\nfleet distribution, goal < ${HUB_FLEET_GOAL_MS} ms on the hub and on a laptop:`);
    if (hub.length) printHubFleetFigures(hub);
    if (laptop) {
      console.log(
        `laptop     ${laptop.laps.toString().padStart(7)}   ${laptop.wallMs.toFixed(1).padStart(6)} (${laptop.cpuMs.toFixed(0).padStart(4)})   ${laptop.fastestMs.toFixed(1).padStart(10)}   ${laptop.bareReadMs.toFixed(1).padStart(11)}          ` +
          `${(laptop.wallMs / laptop.bareReadMs).toFixed(2).padStart(5)}   (bare read of its lap_features rows; 14 corners too)   goal < ${HUB_FLEET_GOAL_MS} ms ${laptop.wallMs < HUB_FLEET_GOAL_MS ? 'OK' : 'OVER GOAL'}`,
      );
    }
  }
}
