import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { openDatabase, OwnTracks, type RegistrySyncReport } from '@pitwall/app';
import { scratchDir } from '../../../../app/test/helpers/units.js';
import { DATABASE_KINDS, TestDatabases } from '../../../../hub/test/helpers/hub-databases.js';
import { hubCli, startHubProcess, type HubProcess } from '../../../../hub/test/helpers/hub-process.js';
import { storeFarSession } from '../../helpers/far-session.js';

/**
 * Three laptops (three data folders) and one `pitwall-hub` process: A draws a track, B gets it
 * from the hub, both rename it offline, both sync (A twice, to see B's edit); they end with the
 * same book and the same registry ids, and a third laptop gets it all from one pull.
 */
const CLI = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
const run = (dir: string, env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args, '--data-dir', dir], { encoding: 'utf8', env: { ...process.env, ...env } });

for (const kind of DATABASE_KINDS) {
  describe(`pitwall tracks sync through one hub (${kind})`, () => {
    const dbs = new TestDatabases(kind);
    const scratch = scratchDir(`cli-tracks-sync-${kind}`);
    let hub: HubProcess | undefined;
    after(async () => {
      await hub?.stop();
      await dbs.close();
      scratch.cleanup();
    });

    test('two laptops edit one track offline, sync, and hold the same book and ids; a third pulls it', async () => {
      const target = await dbs.target();
      const hubDir = dbs.tempDir();
      const org = await hubCli(['org', 'add', '--kind', 'academy', '--name', 'Kart Academy'], target, hubDir);
      const ada = await hubCli(['member', 'add', '--org', org.organisationId!, '--name', 'Ada'], target, hubDir);
      const ben = await hubCli(['member', 'add', '--org', org.organisationId!, '--name', 'Ben'], target, hubDir);
      hub = await startHubProcess(target, hubDir, join(hubDir, 'hub-key.pem'));
      const tokenFile = join(scratch.dir, 'ada.token');
      writeFileSync(tokenFile, `${ada.token}\n`, { mode: 0o600 });
      const asAda = { PITWALL_HUB_TOKEN: '' };
      const asBen = { PITWALL_HUB_TOKEN: ben.token! };
      const [dirA, dirB, dirC] = ['a', 'b', 'c'].map((n) => join(scratch.dir, `laptop-${n}`)) as [string, string, string];
      const sync = (dir: string, env: Record<string, string>) => {
        const r = run(dir, env, 'tracks', 'sync', '--hub', hub!.url, ...(env === asAda ? ['--token-file', tokenFile] : []), '--json');
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(r.stdout) as RegistrySyncReport;
      };

      storeFarSession(dirA);
      assert.equal(run(dirA, {}, 'tracks', 'add', '--from', 's-far', '--name', 'Home Loop').status, 0);
      const first = sync(dirA, asAda);
      const [pushed] = first.pushed.tracks;
      assert.equal(pushed?.outcome, 'registered');
      const key = pushed.key;
      const onB = sync(dirB, asBen);
      assert.deepEqual(onB.changes.map((c) => [c.key, c.field, c.to]), [[key, 'created', 'Home Loop']]);
      assert.match(run(dirB, {}, 'tracks').stdout, /^Home Loop\s/m, 'an own track on B');

      // Offline, both rename it; B's rename is the later one.
      const rename = (dir: string, name: string) => {
        const d = openDatabase(dir);
        new OwnTracks(d).book.rename(key, name);
        d.close();
      };
      rename(dirA, 'Ridge (A)');
      await new Promise((r) => setTimeout(r, 20));
      rename(dirB, 'Ridge (B)');
      sync(dirA, asAda);
      const bSync = sync(dirB, asBen);
      assert.deepEqual(bSync.changes, [], "B's edit is the later one: nothing here changes");
      const aAgain = sync(dirA, asAda);
      assert.deepEqual(aAgain.changes.map((c) => [c.field, c.from, c.to]), [['name', 'Ridge (A)', 'Ridge (B)']]);

      const bookOf = (dir: string) => {
        const file = join(scratch.dir, `${dir.split('/').pop()}.json`);
        assert.equal(run(dir, {}, 'tracks', 'book', '-o', file).status, 0);
        return JSON.parse(readFileSync(file, 'utf8')) as unknown;
      };
      assert.deepEqual(bookOf(dirA), bookOf(dirB), 'the same book on both laptops');
      assert.deepEqual(aAgain.registryIds, bSync.registryIds, 'the same registry ids');
      assert.match(aAgain.registryIds[key]!, /^trk-[0-9a-f]{16}$/);

      const onC = sync(dirC, asBen);
      assert.deepEqual(bookOf(dirC), bookOf(dirA), 'a third laptop pulls the same book');
      assert.deepEqual(onC.registryIds, aAgain.registryIds);
      assert.match(run(dirC, {}, 'tracks').stdout, /^Ridge \(B\)\s/m);

      // A refused sync (a token the hub does not know) says so and changes nothing.
      const before = bookOf(dirC);
      const bad = run(dirC, { PITWALL_HUB_TOKEN: `pwh_${'x'.repeat(43)}` }, 'tracks', 'sync', '--hub', hub.url);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /tracks sync failed \(this laptop's book is unchanged\): the hub refused \(401 unauthenticated\)/);
      assert.deepEqual(bookOf(dirC), before);
      assert.equal(run(dirC, {}, 'tracks', 'sync', '--hub', hub.url).status, 2, 'no token');
    });
  });
}
