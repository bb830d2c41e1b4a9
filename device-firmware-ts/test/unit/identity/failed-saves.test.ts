// ADVERSARIAL.md, Data that must not be lost: "State files are written temp -> fsync -> rename
// -> fsync directory" — and a write that fails (EIO, ENOSPC) fails its own call, changes nothing
// in memory, and does not stop the next (issue 10, finding 7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, rmdir } from 'node:fs/promises';
import { createPublicKey, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { tempDir } from '../../helpers/paths.js';
import {
  createOwnerApprovals,
  createPairingService,
  createPairingWindow,
  fingerprintOf,
  generateIdentityKeyPem,
  IdentityError,
  openAuditLog,
  openOperatorStore,
  parseIdentityKey,
  selfSignedCertificatePem,
  silentLogger,
  type AuditLogOptions,
} from '../../../src/index.js';

const fp = (i: number) => `SHA256:${String(i).padStart(43, 'A')}`;
const errnoError = (code: 'EIO' | 'ENOSPC') => Object.assign(new Error(`${code}: injected, write`), { code });
const onDisk = async (dir: string) =>
  (JSON.parse(await readFile(join(dir, 'identity', 'operators.json'), 'utf8')) as { operators: { fingerprint: string; revokedAt: string | null }[] }).operators;

/** A write seam that fails with `fault` while it is set. */
function faultyFs() {
  const fs = {
    fault: null as null | 'EIO' | 'ENOSPC',
    writeFile: async (file: string, content: string) => {
      if (fs.fault) throw errnoError(fs.fault);
      const { writeFileAtomic } = await import('../../../src/identity/atomic-file.js');
      await writeFileAtomic(file, content);
    },
  };
  return fs;
}

for (const fault of ['EIO', 'ENOSPC'] as const) {
  test(`operator store: a save failing with ${fault} fails that call only; memory keeps what the disk has`, async () => {
    const { dir, cleanup } = await tempDir('operators-fault');
    try {
      await mkdir(join(dir, 'identity'));
      const fs = faultyFs();
      const store = await openOperatorStore(dir, { writeFile: fs.writeFile });
      await store.add({ fingerprint: fp(1), name: 'owner', role: 'owner', via: 'usb' });
      await store.add({ fingerprint: fp(2), name: 'staff', role: 'staff', via: 'network' });
      fs.fault = fault;
      await assert.rejects(store.revoke(fp(2)), new RegExp(fault));
      assert.equal(store.get(fp(2))!.revokedAt, null, 'a revoke that was not saved is not in force either (a reboot would undo it)');
      await assert.rejects(store.add({ fingerprint: fp(3), name: 'x', role: 'support', via: 'usb' }), new RegExp(fault));
      assert.equal(store.get(fp(3)), undefined);
      assert.equal(store.list().length, 2);
      fs.fault = null;
      // The next save works: no poisoned chain.
      const revoked = await store.revoke(fp(2));
      assert.notEqual(revoked.revokedAt, null);
      await store.add({ fingerprint: fp(3), name: 'x', role: 'support', via: 'usb' });
      assert.deepEqual((await onDisk(dir)).map((o) => [o.fingerprint, o.revokedAt !== null]), [[fp(1), false], [fp(2), true], [fp(3), false]]);
      const reopened = await openOperatorStore(dir);
      assert.deepEqual(reopened.list(), store.list(), 'what a reboot reads is what was enforced');
    } finally {
      await cleanup();
    }
  });
}

test('operator store: a real failed write (the file\'s path taken by a directory) does not poison later saves', async () => {
  const { dir, cleanup } = await tempDir('operators-eisdir');
  try {
    await mkdir(join(dir, 'identity'));
    const store = await openOperatorStore(dir);
    await store.add({ fingerprint: fp(1), name: 'owner', role: 'owner', via: 'usb' });
    // The rename onto a directory fails (EISDIR) after the temp file was written and synced.
    const blocker = join(dir, 'identity', 'operators.json');
    await rm(blocker);
    await mkdir(blocker);
    await assert.rejects(store.add({ fingerprint: fp(2), name: 'staff', role: 'staff', via: 'usb' }));
    assert.equal(store.get(fp(2)), undefined, 'not saved, so not paired');
    await rmdir(blocker);
    await store.add({ fingerprint: fp(3), name: 'support', role: 'support', via: 'usb' });
    assert.deepEqual((await onDisk(dir)).map((o) => o.fingerprint), [fp(1), fp(3)]);
  } finally {
    await cleanup();
  }
});

for (const fault of ['EIO', 'ENOSPC'] as const) {
  test(`pairing: when its audit record fails with ${fault} the pairing fails cleanly and is rolled back`, async () => {
    const { dir, cleanup } = await tempDir('pair-audit-fault');
    const disk = { fault: null as null | 'EIO' | 'ENOSPC' };
    const writeSome: AuditLogOptions['writeSome'] = async (fh, data) => {
      if (disk.fault) throw errnoError(disk.fault);
      return (await fh.write(data)).bytesWritten;
    };
    const audit = await openAuditLog(dir, silentLogger, { writeSome });
    const window = createPairingWindow(60, { onOpen: () => {}, onClose: () => {} });
    const approvals = createOwnerApprovals(() => {});
    try {
      await mkdir(join(dir, 'identity'));
      const operators = await openOperatorStore(dir);
      const key = parseIdentityKey(generateIdentityKeyPem());
      const pairing = createPairingService({
        unitId: '00000000-0000-5000-8000-000000000000',
        key,
        fingerprint: fingerprintOf(createPublicKey(key)),
        certificatePem: await selfSignedCertificatePem(key, 'unit'),
        operators,
        audit,
        window,
        approvals,
      });
      const ownerKey = createPrivateKey(generateIdentityKeyPem());
      const ownerFp = fingerprintOf(createPublicKey(ownerKey));
      disk.fault = fault;
      window.open();
      await assert.rejects(pairing.pair({ operatorFingerprint: ownerFp, name: 'owner', role: 'owner', via: 'network' }), (err: unknown) => {
        assert.ok(err instanceof IdentityError);
        assert.equal(err.code, 'audit-failed');
        assert.equal(err.status, 503);
        return true;
      });
      assert.equal(operators.get(ownerFp), undefined, 'not paired in memory');
      assert.deepEqual(await onDisk(dir), [], 'not paired on disk');
      assert.equal(operators.hasActiveOwner(), false);
      // USB too; and once the disk is back, pairing works.
      await assert.rejects(pairing.pair({ operatorFingerprint: ownerFp, name: 'owner', role: 'owner', via: 'usb' }), /audit log/);
      disk.fault = null;
      const ok = await pairing.pair({ operatorFingerprint: ownerFp, name: 'owner', role: 'owner', via: 'usb' });
      assert.ok('role' in ok && ok.role === 'owner');
      const recs = [];
      for await (const r of audit.read(0, 100)) recs.push(r);
      assert.deepEqual(recs.filter((r) => r.event === 'pair' && r.outcome === 'ok').map((r) => r.operatorFingerprint), [ownerFp], 'one pairing, one record');
    } finally {
      window.dispose();
      approvals.dispose();
      await audit.close();
      await cleanup();
    }
  });
}
