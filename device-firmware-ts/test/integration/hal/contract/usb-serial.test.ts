// One contract for the USB serial function, whichever board provides it: start() names the
// unit's end of the link, the framed protocol served there answers the host, stop() ends it.
// The sim's gadget is a pty pair it makes itself; the real gadget opens /dev/ttyGS0, here a
// socat pty pair standing in for the kernel's ACM function and the host's /dev/ttyACM0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helloResult, SERIAL_PROTOCOL_VERSION, type DeviceInfo } from '@pitwall/protocol';
import type { UsbGadget } from '../../../../src/hal/usb-gadget.js';
import { realUsbGadget } from '../../../../src/hal/usb-gadget.js';
import { simUsbGadget } from '../../../../src/hal/sim/sim-usb-gadget.js';
import { openPtyPair } from '../../../../src/hal/pty-pair.js';
import { startSerialEndpoint } from '../../../../src/api/serial-endpoint.js';
import { silentLogger } from '../../../../src/ops/logger.js';
import { SerialRpcClient } from '../../../helpers/serial-rpc-client.js';

const info: DeviceInfo = { id: '5f0c7e7a-3b8e-4c1e-9a57-0d2a4c9e1b11', name: 'Pitwall-5F0C', model: 'PW-1', firmware: { version: '0.1.0', commit: 'abcdef0' }, apiVersion: 1, fingerprint: null };

async function usbSerialContract(gadget: UsbGadget, hostEnd: (started: { hostPath: string | null }) => string): Promise<void> {
  const started = await gadget.start();
  assert.ok((await stat(started.devicePath)).isCharacterDevice(), 'the unit end is a tty');
  const endpoint = await startSerialEndpoint({ path: started.devicePath, ctx: { info }, log: silentLogger });
  const client = await SerialRpcClient.open(hostEnd(started));
  try {
    const hello = await client.call(1, 'hello');
    assert.ok('result' in hello);
    assert.deepEqual(helloResult.parse(hello.result), { protocol: SERIAL_PROTOCOL_VERSION, product: 'pitwall', id: info.id, name: info.name });
  } finally {
    await client.close();
    await endpoint.close();
    await gadget.stop();
  }
}

test('contract: the sim USB gadget', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pw-usb-'));
  try {
    await usbSerialContract(simUsbGadget(dir, join(dir, 'usb-host')), (s) => s.hostPath!);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('contract: the real USB gadget on /dev/ttyGS0 (a pty pair standing in)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pw-usb-'));
  const pair = await openPtyPair(join(dir, 'ttyGS0'), join(dir, 'ttyACM0'));
  try {
    const gadget = realUsbGadget(pair.a);
    await usbSerialContract(gadget, (s) => {
      assert.equal(s.hostPath, null, 'a real unit does not know the host end');
      return pair.b;
    });
  } finally {
    await pair.close();
    await rm(dir, { recursive: true, force: true });
  }
});
