/**
 * What every GnssSource must do, whichever board provides it: start() names a serial port and
 * speed at which the reader gets fixes with good checksums, and stop() ends it.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GnssSource } from '../../../../src/hal/gnss-source.js';
import { GnssReader } from '../../../../src/pipeline/gnss-reader.js';
import { silentLogger } from '../../../../src/ops/logger.js';

export async function gnssSourceContract(source: GnssSource): Promise<void> {
  const port = await source.start();
  assert.ok(port.path.length > 0 && Number.isInteger(port.baudRate) && port.baudRate > 0, `a serial port and speed: ${JSON.stringify(port)}`);
  const reader = new GnssReader({ ...port, log: silentLogger });
  await reader.open();
  try {
    let fixes = 0;
    reader.on('fix', (f) => {
      if (f.fix !== 'none') fixes++;
    });
    for (let i = 0; fixes < 3; i++) {
      assert.ok(i < 150, `three fixes within 15 s at ${JSON.stringify(port)}: ${JSON.stringify(reader.state.status().sentences)}`);
      await sleep(100);
    }
    const s = reader.state.status().sentences;
    assert.equal(s.badChecksum, 0, 'no garbled sentences at the speed start() named');
  } finally {
    await reader.close();
    await source.stop();
  }
}
