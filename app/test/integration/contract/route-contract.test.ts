import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routePath, Routes, type RouteKey } from '@pitwall/protocol';
import { startSimUnit } from '../../../../testbed/sim-unit.js';
import { pressSimButton } from '../../../../testbed/sim-gpio.js';
import { fakeDiagnosticsMissing, makeBoot, makeCrash, makeHealth, startFakeDiagnosticsUnit } from '../../../../testbed/fake-diagnostics-unit.js';
import { RECOVERY_ROUTES_MISSING } from '../../../../testbed/fake-routes.js';
import { HOSTILE_UNIT_MISSING, startHostileUnit } from '../../../../testbed/hostile-unit.js';
import { makeOperator, pairOverSerial } from '../../../../device-firmware-ts/test/helpers/https-client.js';
import { callRoute, unitRequest } from '../../../src/device-client/http-client.js';
import { FAKE_UNIT_MISSING, startFakeUnit } from '../../helpers/fake-unit-server.js';
import { FAKE_SESSION_UNIT_MISSING, startFakeSessionUnit } from '../../helpers/fake-session-unit.js';
import { makeSession } from '../../helpers/session-files.js';
import { routeContract } from '../../helpers/route-contract-suite.js';

// One suite, every unit: the real sim unit and each fake of the testbed. A fake that stops
// answering a route as the table says, or answers a route it declares missing, fails here.

const UNIT_ID = '0f0e0d0c-0b0a-4908-8706-050403020100';
const INFO = { id: UNIT_ID, name: 'Contract', model: 'PW-1 (fake)', firmware: { version: '0.0.0', commit: 'contract' }, apiVersion: 1 } as const;

routeContract('sim unit (pitwall-device sim)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pitwall-contract-'));
  // Wi-Fi through the testbed's replaying nmcli, so its routes answer as on a unit with NetworkManager.
  const nmDir = join(dir, 'fake-nmcli');
  await mkdir(nmDir);
  const config = join(dir, 'unit.json');
  await writeFile(config, JSON.stringify({ network: { nmcli: join(process.cwd(), 'testbed', 'fake-nmcli', 'nmcli'), connectTimeoutS: 10 } }));
  const unit = await startSimUnit({ dataDir: join(dir, 'unit'), speed: 5, extraArgs: ['--config', config, '--pairing-window', '20', '--no-auto-session'], env: { FAKE_NMCLI_DIR: nmDir } });
  const [owner, staff, support, stranger] = await Promise.all(['owner', 'staff', 'support', 'stranger'].map((n) => makeOperator(`contract ${n}`)));
  await pairOverSerial(unit.ready.serialPath, owner!, 'owner');
  await pairOverSerial(unit.ready.serialPath, staff!, 'staff');
  const target = `127.0.0.1:${unit.ready.apiPort}`;
  return {
    base: `https://${target}`,
    missing: RECOVERY_ROUTES_MISSING,
    owner: owner!,
    roles: { support: support!, stranger: stranger! },
    openPairing: () => pressSimButton(join(dir, 'unit'), 'pair'),
    revokable: staff!.fingerprint,
    // The unit logs what Fastify registered once it listens: read it back from its own log.
    registered: async () => {
      const agent = new Agent({ key: owner!.keyPem, cert: owner!.certPem, rejectUnauthorized: false });
      try {
        const { boots } = await callRoute(target, Routes.logBoots, {}, { agent });
        const res = await unitRequest(target, { path: routePath(Routes.logs, { query: { boot: boots.at(-1)!.boot, after: 0, limit: 400 } }), agent, timeoutMs: 10_000 });
        const rec = res.text
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as { routes?: string[] })
          .find((r) => Array.isArray(r.routes));
        if (!rec) throw new Error('the unit did not log its registered routes');
        return rec.routes!;
      } finally {
        agent.destroy();
      }
    },
    close: async () => {
      await unit.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

routeContract('impostor (app/test/helpers/fake-unit-server.ts)', async () => {
  const fake = await startFakeUnit({ info: INFO });
  return { base: `https://127.0.0.1:${fake.port}`, missing: FAKE_UNIT_MISSING, owner: await makeOperator(), roles: 'an impostor is never paired: it serves only discovery and the challenge', close: () => fake.close() };
});

routeContract('session fake (app/test/helpers/fake-session-unit.ts)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pitwall-contract-'));
  const made = await makeSession(dir, { unitId: UNIT_ID, sessionId: '20240518T020005Z-a1b2c3', durationS: 30, seed: 7 });
  const fake = await startFakeSessionUnit(UNIT_ID, [made]);
  return {
    base: `https://127.0.0.1:${fake.port}`,
    missing: FAKE_SESSION_UNIT_MISSING,
    owner: await makeOperator(),
    roles: 'plain server TLS for sync tests: keys and roles are the sim unit’s to check',
    close: async () => {
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

for (const audit of [true, false]) {
  routeContract(`diagnostics fake${audit ? '' : ' without an audit log'} (testbed/fake-diagnostics-unit.ts)`, async () => {
    const auditLines = audit ? [1, 2, 3].map((seq) => JSON.stringify({ time: new Date().toISOString(), seq, event: 'pair', outcome: 'ok', operatorFingerprint: null, role: 'owner', via: 'usb', detail: 'contract' })) : undefined;
    const fake = await startFakeDiagnosticsUnit({ name: 'Contract', ...(auditLines ? { audit: auditLines } : {}) });
    const boot = makeBoot(fake.id, 20);
    fake.boots.push(boot);
    fake.health.push(makeHealth(fake.id, boot.boot, new Date()));
    fake.crashes.push(makeCrash(fake.id, boot.boot, 'c1', 'uncaught-exception', 'boom', []));
    return {
      base: `https://${fake.target}`,
      missing: fakeDiagnosticsMissing({ audit: auditLines }),
      owner: await makeOperator(),
      roles: 'any client certificate is taken: the tests pin the fake in the companion directly',
      close: () => fake.close(),
    };
  });
}

routeContract('hostile unit (testbed/hostile-unit.ts)', async () => {
  const hostile = await startHostileUnit({ seed: 11, sessionMutations: ['clean'] });
  return {
    base: `https://${hostile.unit.target}`,
    missing: HOSTILE_UNIT_MISSING,
    owner: await makeOperator(),
    roles: 'any client certificate is taken, like the diagnostics fake it wraps',
    hostileBodies: 'seeded mutations of every document it serves: the companion must refuse them (app/test/hostile-unit*.test.ts)',
    close: () => hostile.close(),
  };
});

export type { RouteKey };
