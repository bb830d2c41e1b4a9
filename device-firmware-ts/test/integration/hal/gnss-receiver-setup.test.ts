// Receiver set-up against a fake receiver on a socat pty pair: the fake sends noise while the
// host's side of the pty is at another speed, and answers UBX as an M8, an M10 or not at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setUpReceiver, detectBaud } from '../../../src/hal/gnss/receiver-setup.js';
import { GnssLink } from '../../../src/hal/gnss/gnss-link.js';
import { silentLogger } from '../../../src/ops/logger.js';
import { FakeUblox, type FakeReceiverOptions } from '../../helpers/fake-ublox.js';

async function withReceiver(opts: FakeReceiverOptions, body: (r: FakeUblox) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pw-gnss-'));
  const r = await FakeUblox.start(join(dir, 'host'), join(dir, 'receiver'), opts);
  try {
    await body(r);
  } finally {
    await r.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const fast = { listenMs: 1200, ackTimeoutMs: 600, log: silentLogger };
const ids = (r: FakeUblox) => r.received.map((f) => `${f.cls.toString(16)}-${f.id.toString(16)}`);

test('auto baud skips the speeds where only noise arrives and picks the one with good NMEA checksums', async () => {
  await withReceiver({ kind: 'nmea-only', baud: 38400, rateHz: 5 }, async (r) => {
    assert.equal(await detectBaud(r.hostPath, [9600, 115200, 38400], 1200), 38400);
    assert.equal(await detectBaud(r.hostPath, [9600, 4800], 800), null, 'noise never passes for NMEA');
  });
});

test('a port another holder keeps locked is refused in words; one let go within a moment is opened', async () => {
  await withReceiver({ kind: 'nmea-only', baud: 9600, rateHz: 5 }, async (r) => {
    const holder = await GnssLink.open(r.hostPath, 9600);
    await assert.rejects(GnssLink.open(r.hostPath, 9600), new RegExp(`the GNSS port ${r.hostPath} is held by another process`));
    setTimeout(() => void holder.close(), 300);
    const link = await GnssLink.open(r.hostPath, 9600);
    await link.close();
  });
});

test('an M8 found at 9600 is switched to 115200 and 10 Hz with CFG-PRT, CFG-RATE and CFG-MSG, each acknowledged', async () => {
  await withReceiver({ kind: 'm8', baud: 9600, rateHz: 1 }, async (r) => {
    const got = await setUpReceiver({ ...fast, path: r.hostPath, baud: 'auto', candidates: [115200, 9600], ublox: { rateHz: 10, baud: 115200 } });
    assert.deepEqual(got, { baudRate: 115200, receiver: 'ublox-cfg' });
    assert.equal(r.baud, 115200);
    assert.equal(r.rateHz, 10);
    assert.deepEqual(ids(r), ['6-0', '6-8', '6-1', '6-1', '6-1', '6-1', '6-1', '6-1']);
    const msgs = r.received.filter((f) => f.id === 1).map((f) => [...f.payload]);
    assert.deepEqual(msgs, [
      [0xf0, 0x00, 1], // GGA every solution
      [0xf0, 0x04, 1], // RMC
      [0xf0, 0x01, 0], // GLL off
      [0xf0, 0x05, 0], // VTG off
      [0xf0, 0x02, 10], // GSA once a second
      [0xf0, 0x03, 10], // GSV once a second
    ]);
  });
});

test('an M10 NAKs CFG-RATE and is set to 25 Hz with CFG-VALSET; its NAK of CFG-PRT keeps the old speed', async () => {
  await withReceiver({ kind: 'm10', baud: 38400, rateHz: 1 }, async (r) => {
    const got = await setUpReceiver({ ...fast, path: r.hostPath, baud: 38400, ublox: { rateHz: 25, baud: 115200 } });
    assert.deepEqual(got, { baudRate: 38400, receiver: 'ublox-valset' });
    assert.equal(r.rateHz, 25);
    assert.equal(r.baud, 38400);
    assert.deepEqual(ids(r), ['6-0', '6-8', '6-8a']);
  });
});

test('an NMEA-only receiver answers nothing: read as it is, at the speed it was found', async () => {
  await withReceiver({ kind: 'nmea-only', baud: 9600, rateHz: 2 }, async (r) => {
    const got = await setUpReceiver({ ...fast, path: r.hostPath, baud: 'auto', candidates: [9600], ublox: { rateHz: 10, baud: 115200 } });
    assert.deepEqual(got, { baudRate: 9600, receiver: 'nmea-only' });
    assert.equal(r.rateHz, 2);
    assert.equal(r.baud, 9600);
  });
});

test('a configured baud without u-blox settings opens the port untouched', async () => {
  await withReceiver({ kind: 'm8', baud: 9600 }, async (r) => {
    assert.deepEqual(await setUpReceiver({ ...fast, path: r.hostPath, baud: 9600, ublox: null }), { baudRate: 9600, receiver: 'nmea-only' });
    assert.equal(r.received.length, 0);
  });
});
