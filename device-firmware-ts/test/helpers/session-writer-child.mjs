// Child process for the power-cut test: records live 25 Hz GNSS + 100 Hz IMU (sample time =
// wall time) into a session file until it is SIGKILLed. Plain JS on the built writer, so it
// starts in a fraction of the time a TypeScript loader needs.
import { SessionWriter } from '../../dist/pipeline/session-writer.js';

const path = process.argv[2];
const header = {
  format: 'pitwall-session',
  version: 1,
  sessionId: 'kill-test',
  unitId: 'unit-k',
  firmwareVersion: '0.1.0',
  startedAt: new Date().toISOString(),
  trackId: null,
  driver: null,
  gnssRateHz: 25,
  imu: { chip: 'LSM6DSOX', rateHz: 100, accelRangeG: 4, gyroRangeDps: 500 },
};
const w = await SessionWriter.create(path, header);
const start = Date.now();
process.stdout.write(`ready ${start}\n`);
let i = 0;
setInterval(() => {
  const now = Date.now();
  for (; start + i * 10 <= now; i++) {
    const t = start + i * 10;
    w.addImu({ t, accelMps2: [0.1 * (i % 7), -0.2, 9.81], gyroDps: [0, 0, (i % 50) - 25] });
    if (i % 4 === 0) w.addFix({ t, fix: '3d', lat: 28.41 + i * 1e-7, lon: -81.38, altM: 30, speedMps: 20, courseDeg: 90, satellites: 12, hdop: 0.8 });
  }
}, 5);
