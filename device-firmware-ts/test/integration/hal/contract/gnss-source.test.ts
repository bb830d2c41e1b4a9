import { test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialGnssSource } from '../../../../src/hal/gnss-source.js';
import { nmeaReplayer } from '../../../../src/hal/sim/nmea-replayer.js';
import { silentLogger } from '../../../../src/ops/logger.js';
import { everlandRecording } from '../../../helpers/paths.js';
import { FakeUblox } from '../../../helpers/fake-ublox.js';
import { gnssSourceContract } from './gnss-source-contract.js';

async function inTemp(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pw-gnss-contract-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('contract: the sim receiver (a recording replayed on a pty)', () =>
  inTemp((dir) => gnssSourceContract(nmeaReplayer({ recordingPath: everlandRecording, runDir: dir, speed: 1, log: silentLogger }))));

for (const kind of ['m8', 'm10', 'nmea-only'] as const) {
  test(`contract: the serial receiver, ${kind} on a fake (auto baud, u-blox set-up attempted)`, () =>
    inTemp(async (dir) => {
      const r = await FakeUblox.start(join(dir, 'serial0'), join(dir, 'receiver'), { kind, baud: 38400, rateHz: 5 });
      try {
        await gnssSourceContract(serialGnssSource({ path: r.hostPath, baud: 'auto', ublox: { rateHz: 10, baud: 115200 }, log: silentLogger, listenMs: 1200, ackTimeoutMs: 600 }));
      } finally {
        await r.stop();
      }
    }));
}
