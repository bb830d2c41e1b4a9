import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { encodeFrame, helloResult, deviceInfo, RpcErrorCode, SERIAL_PROTOCOL_VERSION, FrameType, type DeviceInfo } from '@pitwall/protocol';
import { openPtyPair, silentLogger, startSerialEndpoint } from '../../../src/index.js';
import { SerialRpcClient } from '../../helpers/serial-rpc-client.js';
import { tempDir } from '../../helpers/paths.js';
import { prng } from '../../helpers/prng.js';

const info: DeviceInfo = {
  id: '5f0c7e7a-3b8e-4c1e-9a57-0d2a4c9e1b11',
  name: 'Pitwall-5F0C',
  model: 'PW-1 (sim)',
  firmware: { version: '0.1.0', commit: 'abcdef0' },
  apiVersion: 1,
  fingerprint: null,
};

async function withEndpoint(body: (client: SerialRpcClient) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await tempDir('serial');
  const pair = await openPtyPair(join(dir, 'ttyGS0'), join(dir, 'usb-host'));
  const endpoint = await startSerialEndpoint({ path: pair.a, ctx: { info }, log: silentLogger });
  const client = await SerialRpcClient.open(pair.b);
  try {
    await body(client);
  } finally {
    await client.close();
    await endpoint.close();
    await pair.close();
    await cleanup();
  }
}

test('hello and info over a real pty pair', async () => {
  await withEndpoint(async (client) => {
    const hello = await client.call(1, 'hello');
    assert.ok('result' in hello);
    assert.deepEqual(helloResult.parse(hello.result), { protocol: SERIAL_PROTOCOL_VERSION, product: 'pitwall', id: info.id, name: info.name });
    assert.equal(hello.id, 1);
    const res = await client.call('x-2', 'info');
    assert.ok('result' in res);
    assert.deepEqual(deviceInfo.parse(res.result), info);
    assert.equal(res.id, 'x-2');
  });
});

test('garbage between frames is skipped and the following requests are still answered', async () => {
  await withEndpoint(async (client) => {
    const rand = prng(42);
    const garbage = Uint8Array.from({ length: 3000 }, () => Math.floor(rand() * 256));
    await client.writeRaw(garbage);
    await client.writeRaw(Buffer.from('PWPWPW\x01\x00'));
    const r1 = await client.call(7, 'hello');
    assert.ok('result' in r1 && r1.id === 7);
    await client.writeRaw(Buffer.from('$GPGGA,not a frame\r\n'));
    const r2 = await client.call(8, 'info');
    assert.ok('result' in r2 && r2.id === 8);
  });
});

test('JSON-RPC errors: parse error, invalid request, method not found, with clear messages', async () => {
  await withEndpoint(async (client) => {
    await client.writeRaw(encodeFrame(FrameType.rpc, Buffer.from('{not json')));
    await client.send({ jsonrpc: '1.0', id: 3, method: 'hello' });
    await client.send({ jsonrpc: '2.0', id: 4, method: 'reboot' });
    await client.send([{ jsonrpc: '2.0', id: 5, method: 'hello' }]);
    const [parse, invalid, missing, batch] = await client.waitFor(4);
    assert.ok(parse && 'error' in parse && parse.error.code === RpcErrorCode.parseError && parse.id === null);
    assert.match(parse.error.message, /parse error/);
    assert.ok(invalid && 'error' in invalid && invalid.error.code === RpcErrorCode.invalidRequest && invalid.id === 3);
    assert.match(invalid.error.message, /jsonrpc/);
    assert.ok(missing && 'error' in missing && missing.error.code === RpcErrorCode.methodNotFound && missing.id === 4);
    assert.match(missing.error.message, /reboot.*hello, info/);
    assert.ok(batch && 'error' in batch && batch.error.code === RpcErrorCode.invalidRequest);
  });
});

test('an oversize frame is ignored and does not stall the stream', async () => {
  await withEndpoint(async (client) => {
    // Hand-built header claiming 60 000 bytes: valid header check, length over the 16 KiB bound.
    const big = encodeFrame(FrameType.rpc, new Uint8Array(60_000), 0xffff);
    await client.writeRaw(big);
    const r = await client.call(9, 'hello');
    assert.ok('result' in r && r.id === 9);
    assert.equal(client.responses.length, 1, 'the oversize frame got no answer');
  });
});
