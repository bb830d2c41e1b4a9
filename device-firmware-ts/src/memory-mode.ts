// Imported first by cli.ts, so it runs before any other module is loaded. V8's memory-over-speed
// mode (smaller heap growth steps, more eager collection, no pre-tenuring of short-lived
// objects): the recording path allocates steadily at 25 Hz GNSS + 100 Hz IMU and V8 otherwise
// lets garbage pile up between full collections (about 9 MB on a 10-minute run here, at a few
// percent more CPU). Set from inside because a single executable takes no V8 flags on its
// command line and Node refuses this one in NODE_OPTIONS; the launcher adds what it can pass
// (update/runtime-command.ts). docs/compiled-runtime.md, "Resident memory".
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--optimize-for-size');
