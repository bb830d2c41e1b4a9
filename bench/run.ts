// npm run bench -- <name>...   (no name: all). Each benchmark measures a baseline in the
// same run and prints ratios; absolute numbers depend on the machine.
import { parseArgs } from 'node:util';

const benches: Record<string, () => Promise<void>> = {
  discovery: async () => (await import('./discovery.js')).runDiscoveryBench(),
  // discovery's /v1/info throughput part alone (needs no root)
  info: async () => (await import('./discovery.js')).runInfoBench(),
  auth: async () => (await import('./auth.js')).runAuthBench(),
  datapath: async () => (await import('./datapath.js')).runDatapathBench(),
  diagnostics: async () => (await import('./diagnostics.js')).runDiagnosticsBench(),
  logging: async () => (await import('./logging.js')).runLoggingBench(),
  sessions: async () => (await import('./sessions.js')).runSessionsBench(),
  // a 100 MB signed update bundle verified, against sha256sum of the same file
  update: async () => (await import('./update.js')).runUpdateBench(),
  // one signed bundle pushed to 10 units over a shared 50 Mbit/s link, against a raw transfer (root)
  'update-push': async () => (await import('./update.js')).runUpdatePushBench(),
  // 20 units x 3 sessions synced at once over one shaped 50 Mbit/s link (needs root)
  trackday: async () => (await import('./trackday.js')).runTrackDayBench(),
  // reboot into a new runtime slot until the health gate commits it, trial excluded
  // start-up to ready: the unit runtime's single executable and node dist/cli.js, vs node -e 0
  boot: async () => (await import('./boot.js')).runBootBench(),
  'boot-commit': async () => (await import('./boot-commit.js')).runBootCommitBench(),
  // resident memory of the runtime recording 25 Hz GNSS + 100 Hz IMU, SEA and node dist (MEMORY_S=600: 10 minutes)
  memory: async () => (await import('./memory.js')).runMemoryBench(),
  // support on -> export through the tunnel vs bare ssh -N -R + sftp; download rate (needs root)
  support: async () => (await import('./support.js')).runSupportBench(),
  // licence verification vs a bare Ed25519 verify of the same bytes; what licensing adds to ready
  license: async () => (await import('./license.js')).runLicenseBench(),
  // fleet distribution of one track with 100,000 laps from the companion's SQLite, against a bare SQL aggregate
  distributions: async () => void (await (await import('./distributions.js')).runDistributionsBench()),
  // the hub's three figures: registration, ingest vs COPY, fleet distribution of 100,000 laps on the hub and the laptop
  hub: async () => (await import('./hub-report.js')).runHubReport(),
  // 10,000 units registering with the hub on SQLite and PostgreSQL vs bare inserts of the same rows
  'hub-registration': async () => (await import('./hub.js')).runHubBench(),
  // 100 companions pushing a day of sessions each to the hub on PostgreSQL at once, vs COPY of the same rows
  'hub-ingest': async () => void (await (await import('./hub-ingest.js')).runHubIngestBench()),
  // the fleet distribution of a track with 100,000 laps through the hub's route, SQLite and PostgreSQL, vs the bare fetch of the same rows
  'hub-fleet': async () => void (await (await import('./hub-fleet.js')).runHubFleetBench()),
};

const { positionals } = parseArgs({ allowPositionals: true });
const chosen = positionals.length ? positionals : Object.keys(benches);
for (const name of chosen) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== ${name} ==`);
  await bench();
}
