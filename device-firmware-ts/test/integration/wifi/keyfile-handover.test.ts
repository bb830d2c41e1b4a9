import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemdHandOver } from '../../../src/hal/nm/keyfile-handover.js';
import { NmError } from '../../../src/hal/nm/index.js';
import { tempDir } from '../../helpers/paths.js';

/**
 * A unit's runtime hands a new profile's keyfile to NetworkManager through systemd
 * (pitwall-nm-load@UUID.service): the file is in the outbox while the unit runs and gone after,
 * whatever happened. systemd is not PID 1 here: `systemctl` is a script recording its argv and
 * whether the outbox file was there, mode 0600, when it was called.
 */
const UUID = '3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';

async function rig(body: string) {
  const { dir, cleanup } = await tempDir('nm-handover');
  const systemctl = join(dir, 'systemctl');
  const file = join(dir, `pitwall-${UUID}.nmconnection`);
  await writeFile(systemctl, `#!/bin/sh\nprintf '%s %s\\n' "$*" "$(stat -c %a '${file}')" >> '${dir}/calls'\n${body}\n`);
  await chmod(systemctl, 0o755);
  await writeFile(file, '[connection]\n', { mode: 0o600 });
  const handOver = systemdHandOver(dir, { systemctl, timeoutMs: 5000 });
  return { dir, file, handOver, calls: async () => (await readFile(join(dir, 'calls'), 'utf8')).split('\n').filter(Boolean), cleanup };
}

test('started as pitwall-nm-load@UUID.service with the file in place; the outbox copy gone after', async () => {
  const r = await rig('exit 0');
  try {
    assert.equal(r.handOver.dir, r.dir);
    await r.handOver.load(r.file, UUID, 'saving the network');
    assert.deepEqual(await r.calls(), [`--no-ask-password start pitwall-nm-load@${UUID}.service 600`]);
    assert.ok(!(await readdir(r.dir)).includes(`pitwall-${UUID}.nmconnection`));
  } finally {
    await r.cleanup();
  }
});

test("a refusal (the helper's or polkit's) is an NmError in systemctl's words, and the outbox copy is gone", async () => {
  const r = await rig(`echo 'Job for pitwall-nm-load@${UUID}.service failed because the control process exited with error code.' >&2; exit 1`);
  try {
    const err = await r.handOver.load(r.file, UUID, 'saving the network').then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof NmError);
    assert.match(err.message, new RegExp(`^saving the network: pitwall-nm-load@${UUID}\\.service failed: Job for .* failed`));
    assert.ok(!(await readdir(r.dir)).includes(`pitwall-${UUID}.nmconnection`));
  } finally {
    await r.cleanup();
  }
});
