import assert from 'node:assert/strict';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { Agent, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { LiveFix, LiveLap, LiveTiming } from '@pitwall/protocol';
import { LiveClient } from '../../../src/device-client/live-client.js';
import { createSelfSignedCertificate } from '../../../src/identity/operator-certificate.js';

const FIX: LiveFix = { time: '2024-05-18T02:02:00.000Z', fix: '3d', lat: 37.29, lon: 127.2, altM: 262, speedMps: 30, courseDeg: 90, satellites: 12, hdop: 0.8 };
const TIMING: LiveTiming = { time: '2024-05-18T02:02:00.000Z', trackId: 'amg-everland-speedway-everland', lap: 2, elapsedMs: 61_234, sector: 1, sectorElapsedMs: 6_977, distanceM: 1_800, lastLapMs: 141_617, bestLapMs: 141_617, deltaMs: -1_170, predictedLapMs: 140_447, sessionId: null };
const LAP: LiveLap = { trackId: 'amg-everland-speedway-everland', lap: 1, startTime: '2024-05-18T01:59:40.000Z', endTime: '2024-05-18T02:02:01.617Z', timeMs: 141_617, sectorsMs: [55_356, 36_624, 49_637], distanceM: 4_308, best: true, sessionId: null };

const sse = (event: string, data: string) => `event: ${event}\ndata: ${data}\n\n`;

test('the live client hands on fix, timing and lap events that match their schemas, and reports the others', async () => {
  const key = generateKeyPairSync('ed25519').privateKey;
  const alg = { name: 'Ed25519' };
  const privateKey = await webcrypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }), alg, true, ['sign']);
  const jwk = await webcrypto.subtle.exportKey('jwk', privateKey);
  const publicKey = await webcrypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, alg, true, ['verify']);
  const cert = await createSelfSignedCertificate({ privateKey, publicKey }, 'live-test');
  const server = createServer({ key: key.export({ type: 'pkcs8', format: 'pem' }), cert }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(sse('fix', JSON.stringify(FIX)));
    res.write(sse('timing', JSON.stringify({ ...TIMING, injected: true })));
    res.write(sse('lap', '{not json'));
    res.write(sse('__proto__', '{}'));
    res.write(sse('constructor', '{}'));
    res.write(sse('timing', JSON.stringify(TIMING)));
    res.write(sse('lap', JSON.stringify({ ...LAP, lap: 0 })));
    res.write(sse('lap', JSON.stringify(LAP)));
    res.write(sse('done', '{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent = new Agent({ rejectUnauthorized: false });
  const got = { fixes: [] as LiveFix[], timings: [] as LiveTiming[], laps: [] as LiveLap[], problems: [] as string[] };
  let client: LiveClient | undefined;
  try {
    await new Promise<void>((resolve) => {
      client = new LiveClient({
        prepare: async () => ({ target: `127.0.0.1:${(server.address() as AddressInfo).port}`, agent }),
        onFix: (f) => got.fixes.push(f),
        onTiming: (t) => got.timings.push(t),
        onLap: (l) => {
          got.laps.push(l);
          resolve();
        },
        onProblem: (m) => got.problems.push(m),
      });
    });
  } finally {
    client?.close();
    agent.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  assert.deepEqual(got.fixes, [FIX]);
  assert.deepEqual(got.timings, [TIMING]);
  assert.deepEqual(got.laps, [LAP]);
  assert.deepEqual(got.problems, ['live timing does not match the LiveTiming schema', 'live lap is not JSON', 'live lap does not match the LiveLap schema']);
});
