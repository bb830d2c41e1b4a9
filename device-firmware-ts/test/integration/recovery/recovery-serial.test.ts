import { test } from 'node:test';
import { createPrivateKey, sign } from 'node:crypto';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeFrame, factoryResetResult, FrameType, helloResult, recoveryRollbackResult, recoveryStatus, RECOVERY_CHUNK_B, updateStatus, wifiSerialMessage } from '@pitwall/protocol';
import { buildBundle, signBundle } from '@pitwall/protocol/node';
import { testVendorKey } from '../../../../testbed/vendor-test-key.js';
import { simPowerOnFile } from '../../../src/hal/sim/sim-power-on.js';
import { identityPaths } from '../../../src/identity/unit-identity.js';
import { snapshot } from '../../helpers/bundles.js';
import { makeOperator, readAudit } from '../../helpers/https-client.js';
import { tempDir } from '../../helpers/paths.js';
import { prng } from '../../helpers/prng.js';
import { errorCode, rawCall, recoveryAuth, recoveryCall, serialInstall } from '../../helpers/recovery-serial.js';
import { recoveryUnit } from '../../helpers/recovery-unit.js';
import { SerialRpcClient } from '../../helpers/serial-rpc-client.js';
import { makeRelease } from '../../helpers/slot-releases.js';

test('recovery mode over USB serial (a real pty): status, rollback, a tampered bundle and a hostile peer refused with slot B unchanged, strangers and staff refused, a signed install committed on the next boot, factory reset keeping the identity', async () => {
  const { dir, cleanup } = await tempDir('recovery-serial');
  const vendor = await testVendorKey(dir);
  const configFile = join(dir, 'unit.json');
  // A sender silent for 2 s is refused: the hostile peer below goes quiet mid-install.
  await writeFile(configFile, JSON.stringify({ update: { keysDir: vendor.keysDir, slotMb: 4, deadlineS: 120, idleS: 2 } }));
  const [owner, dealer, staff, stranger] = await Promise.all(['owner', 'dealer', 'staff', 'stranger'].map((n) => makeOperator(n)));
  const { dataDir, identity, records, machine } = await recoveryUnit(dir, [[owner!, 'owner'], [dealer!, 'dealer'], [staff!, 'staff']], ['--config', configFile]);
  const unsigned = join(dir, 'u.pwb');
  const signed = join(dir, 's.pwb');
  await buildBundle({ runtimeDir: await makeRelease(dir, '2.0.0', 'good', 200_000), runtimeVersion: '2.0.0', entry: 'runtime.mjs', compatibleModels: ['PW-1-sim'], minReplaceVersion: '0.0.1' }, unsigned);
  await signBundle(unsigned, signed, vendor.key);
  const good = await readFile(signed);
  const tampered = Buffer.from(good);
  tampered[Math.floor(tampered.length * 0.75)]! ^= 0x04;
  let client: SerialRpcClient | null = null;
  try {
    machine.start();
    await machine.waitFor((e) => e.recovery === 'ready', 30_000);
    client = await SerialRpcClient.open(join(dataDir, 'usb-host'));
    const c = client;
    const hello = await rawCall(c, 'hello');
    assert.ok('result' in hello, JSON.stringify(hello));
    assert.equal(helloResult.parse(hello.result).id, identity.id);

    // Status for the owner and the dealer; the same answer as the HTTPS route.
    for (const op of [owner!, dealer!]) {
      const s = await recoveryCall(c, identity.id, 'recovery.status', {}, op);
      assert.ok('result' in s, JSON.stringify(s));
      const st = recoveryStatus.parse(s.result);
      assert.equal(st.active, 'A');
      assert.deepEqual(st.slots, { A: { version: '1.0.0', status: 'good' }, B: { version: null, status: 'empty' } });
    }

    // Refused: an unpaired key, staff, no signature, a nonce used twice, a signature for Wi-Fi.
    const recordBefore = (await records.read()).record;
    assert.equal(errorCode(await recoveryCall(c, identity.id, 'recovery.rollback', { slot: 'A' }, stranger!)), 'unauthorized');
    assert.equal(errorCode(await recoveryCall(c, identity.id, 'recovery.factoryReset', { confirmUnitId: identity.id }, staff!)), 'forbidden');
    assert.equal(errorCode(await recoveryCall(c, identity.id, 'recovery.install.begin', { size: good.length }, stranger!)), 'unauthorized');
    const unsignedCall = await rawCall(c, 'recovery.rollback', { slot: 'A' });
    assert.ok('error' in unsignedCall && /invalid params/.test(unsignedCall.error.message), JSON.stringify(unsignedCall));
    const n = await rawCall(c, 'recovery.nonce');
    assert.ok('result' in n);
    const auth = recoveryAuth(identity.id, (n.result as { nonce: string }).nonce, 'recovery.status', owner!);
    assert.ok('result' in (await rawCall(c, 'recovery.status', { auth })), 'first use of the nonce');
    const replay = await rawCall(c, 'recovery.status', { auth });
    assert.equal(errorCode(replay), 'unauthorized', 'a nonce is used once');
    const w = await rawCall(c, 'recovery.nonce');
    assert.ok('result' in w);
    const wifiSigned = { certificate: owner!.certPem, nonce: (w.result as { nonce: string }).nonce, signature: sign(null, Buffer.from(wifiSerialMessage(identity.id, (w.result as { nonce: string }).nonce, 'recovery.status')), createPrivateKey(owner!.keyPem)).toString('base64') };
    assert.equal(errorCode(await rawCall(c, 'recovery.status', { auth: wifiSigned })), 'unauthorized', 'a signature for Wi-Fi does not open recovery');
    assert.deepEqual((await records.read()).record, recordBefore, 'refusals changed nothing');

    // Rollback: to A (complete, good) yes; to B (empty) no.
    const back = await recoveryCall(c, identity.id, 'recovery.rollback', { slot: 'A' }, dealer!);
    assert.ok('result' in back, JSON.stringify(back));
    assert.deepEqual(recoveryRollbackResult.parse(back.result), { active: 'A', version: '1.0.0' });
    assert.equal(errorCode(await recoveryCall(c, identity.id, 'recovery.rollback', { slot: 'B' }, owner!)), 'slot-empty');

    // A tampered bundle: refused by the verifier, slot B and its record as they were.
    const slotsBefore = await snapshot(join(dataDir, 'slots'));
    const slotRecord = (await records.read()).record.slots;
    const bad = await serialInstall(c, identity.id, tampered, owner!);
    const refusal = bad.chunks.find((r) => 'error' in r) ?? bad.end;
    assert.ok(refusal && 'error' in refusal, `tampered bundle refused: ${JSON.stringify(refusal)}`);
    assert.match(errorCode(refusal) ?? '', /payload-mismatch|bad-signature/);
    assert.deepEqual(await snapshot(join(dataDir, 'slots')), slotsBefore, 'tampered: the slots are as they were');
    assert.deepEqual((await records.read()).record.slots, slotRecord, 'tampered: the record is as it was');

    // A hostile peer mid-install: garbage, a frame claiming 60 KiB, frames that are not JSON-RPC,
    // an oversized chunk, then silence. The unit answers on, refuses the upload, B unchanged.
    const rand = prng(1313);
    const hostileUpload = () => {
      const begun = c.responses.findLast((r) => 'result' in r && typeof (r.result as { upload?: unknown }).upload === 'string');
      return begun && 'result' in begun ? (begun.result as { upload: string }).upload : '';
    };
    const hostile = await serialInstall(c, identity.id, good, owner!, {
      stopAfter: 6,
      before: async (i) => {
        if (i === 2) await c.writeRaw(Uint8Array.from({ length: 5000 }, () => Math.floor(rand() * 256)));
        if (i === 3) await c.writeRaw(Uint8Array.from([0x50, 0x57, FrameType.rpc, 0xf0, 0x00, 0x00, ...new Array(200).fill(0x41)]));
        if (i === 4) await c.writeRaw(encodeFrame(FrameType.rpc, new TextEncoder().encode('{"jsonrpc":"2.0","id":')));
        if (i === 5) {
          // A whole, checksummed frame over the unit's frame limit, then a chunk over the chunk limit.
          await c.writeRaw(encodeFrame(FrameType.rpc, Buffer.alloc(20_000, 0x7b), 0xffff));
          const big = Buffer.alloc(RECOVERY_CHUNK_B + 3, 1).toString('base64');
          const r = await rawCall(c, 'recovery.install.chunk', { upload: hostileUpload(), offset: 0, data: big });
          assert.ok('error' in r, `an oversized chunk is refused: ${JSON.stringify(r)}`);
        }
      },
    });
    assert.ok(hostile.chunks.length >= 1 && hostile.chunks.every((r) => 'result' in r), JSON.stringify(hostile.chunks.slice(0, 2)));
    const alive = await recoveryCall(c, identity.id, 'recovery.status', {}, owner!);
    assert.ok('result' in alive, 'the unit still answers during the hostile install');
    await new Promise((r) => setTimeout(r, 3000)); // past idleS: the silent upload is refused
    const ended = await rawCall(c, 'recovery.install.end', { upload: hostile.upload });
    assert.ok('error' in ended, JSON.stringify(ended));
    assert.match(errorCode(ended) ?? '', /deadline|truncated/);
    assert.deepEqual(await snapshot(join(dataDir, 'slots')), slotsBefore, 'hostile: the slots are as they were');
    assert.deepEqual((await records.read()).record.slots, slotRecord, 'hostile: the record is as it was');

    // The dealer's signed bundle over serial: installed into B; the next normal boot tries it.
    const done = await serialInstall(c, identity.id, good, dealer!);
    assert.ok(done.end && 'result' in done.end, JSON.stringify(done.end ?? done.chunks.find((r) => 'error' in r)));
    const status = updateStatus.parse(done.end.result);
    assert.equal(status.operation, 'rebooting');
    assert.equal(status.tried, 'B');
    assert.deepEqual(status.slots, { A: { version: '1.0.0', status: 'good' }, B: { version: '2.0.0', status: 'installed' } });
    const audit = (await readAudit(dataDir)).filter((r) => r.via === 'usb' && (r.event === 'update' || r.event === 'recovery'));
    assert.ok(audit.some((r) => r.event === 'update' && r.outcome === 'ok' && r.operatorFingerprint === dealer!.fingerprint), JSON.stringify(audit));
    assert.ok(audit.some((r) => r.event === 'recovery' && r.detail.startsWith('rolled back to slot A')), JSON.stringify(audit));
    await client.close();
    client = null;

    // Button released, power cycled: B boots on trial and its health gate commits it.
    await machine.stop();
    await rm(simPowerOnFile(dataDir));
    let mark = machine.events.length;
    machine.start();
    const boot = await machine.waitFor((e) => e.launcher === 'boot', 30_000, mark);
    assert.equal(boot.slot, 'B');
    assert.equal(boot.trial, true);
    const end = await machine.waitFor((e) => e.launcher === 'committed' || e.launcher === 'runtime-ended', 30_000, machine.events.indexOf(boot));
    assert.equal(end.launcher, 'committed', JSON.stringify(machine.events.slice(mark)));

    // Recovery again, then a factory reset over serial: operators gone, the identity kept.
    await machine.stop();
    await writeFile(simPowerOnFile(dataDir), JSON.stringify({ recoveryHeld: true }));
    mark = machine.events.length;
    machine.start();
    await machine.waitFor((e) => e.recovery === 'ready', 30_000, mark);
    client = await SerialRpcClient.open(join(dataDir, 'usb-host'));
    const keyBefore = await readFile(identityPaths(dataDir).key);
    assert.equal(errorCode(await recoveryCall(client, identity.id, 'recovery.factoryReset', { confirmUnitId: 'not-this-unit' }, owner!)), 'confirm-mismatch');
    const reset = await recoveryCall(client, identity.id, 'recovery.factoryReset', { confirmUnitId: identity.id }, owner!);
    assert.ok('result' in reset, JSON.stringify(reset));
    const wiped = factoryResetResult.parse(reset.result);
    assert.equal(wiped.unitId, identity.id);
    assert.ok(wiped.wiped.includes('operators'), JSON.stringify(wiped));
    assert.deepEqual(await readFile(identityPaths(dataDir).key), keyBefore, 'the identity key is kept');
    assert.equal(errorCode(await recoveryCall(client, identity.id, 'recovery.status', {}, owner!)), 'unauthorized', 'nobody is paired after the reset');
  } finally {
    await client?.close();
    await machine.stop();
    await cleanup();
  }
});
