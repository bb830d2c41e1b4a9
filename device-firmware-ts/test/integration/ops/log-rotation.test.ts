import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { logRecord } from '@pitwall/protocol';
import { createUnitLogger, logFiles } from '../../../src/index.js';
import { repoRoot, tempDir } from '../../helpers/paths.js';
import { RELOAD_ARGV, SYSTEMCTL, systemctlStub } from '../../helpers/systemctl-stub.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const UNIT = '0b6f0c2e-5f1a-5b1e-9a51-1c2d3e4f5a6b';
// A unit logs a few records a second in normal running; debug-heavy subsystems ~200/s at most.
const NORMAL_PER_S = 200;

test('real logrotate (create + postrotate SIGHUP through systemd) under 10x the normal rate: no record lost, total size under the cap', async () => {
  const { dir, cleanup } = await tempDir('logrotate');
  let logger: ReturnType<typeof createUnitLogger> | undefined;
  const onHup = () => logger?.reopen();
  try {
    await mkdir(join(dir, 'logs'));
    await mkdir(join(dir, 'run'));
    // The shipped config, pointed at the temp data dir, with a small size so size triggers fire too.
    const shipped = await readFile(join(repoRoot, 'device-firmware-ts/system/logrotate.d/pitwall'), 'utf8');
    const maxB = 256 * 1024;
    const rotate = 30;
    // systemd (which signals the service's main process) stood in for by a stub signalling this process.
    const systemctl = await systemctlStub(dir, process.pid);
    assert.ok(shipped.includes(SYSTEMCTL));
    const config = shipped.replaceAll('/var/lib/pitwall', dir).replaceAll(SYSTEMCTL, systemctl.path).replace(/^(\s*)maxsize \S+$/m, `$1maxsize ${maxB}`).replace(/^(\s*)minsize \S+$/m, '$1minsize 1').replace(/^(\s*)rotate \d+$/m, `$1rotate ${rotate}`);
    // Anchored: the config's comments name maxsize too (an unanchored replace changed a comment).
    assert.ok(config.includes(`maxsize ${maxB}\n`) && config.includes('minsize 1\n') && config.includes(`rotate ${rotate}\n`));
    assert.ok(/^\s*create\b/m.test(config) && !/^\s*copytruncate/m.test(config));
    const confFile = join(dir, 'logrotate.conf');
    await writeFile(confFile, config, { mode: 0o644 });
    logger = createUnitLogger({ file: join(dir, 'logs', 'pitwall.log'), fw: '1', commit: 'c', unit: UNIT, stderrLevel: null });
    process.on('SIGHUP', onHup);

    const rate = NORMAL_PER_S * 10;
    const log = logger.for('gnss');
    const unitLogger = logger;
    let writing = true;
    const writer = (async () => {
      const t0 = Date.now();
      let n = 0;
      while (writing) {
        const due = Math.floor(((Date.now() - t0) / 1000) * rate);
        for (; n < due; n++) log.debug('fix', { lat: 37.29 + n * 1e-6, lon: 127.2, speedMps: 31.4, sats: 14, hdop: 0.8, lap: n >> 10 });
        await sleep(5);
      }
    })();
    let forced = 0;
    for (let i = 0; i < 16; i++) {
      await sleep(200);
      const force = i % 3 === 2;
      if (force) forced++;
      await run('logrotate', ['-s', join(dir, 'logrotate.state'), ...(force ? ['-f'] : []), confFile]);
    }
    writing = false;
    await writer;
    unitLogger.flushSync();
    await unitLogger.close();

    const files = logFiles(join(dir, 'logs'));
    assert.ok(files.some((f) => f.endsWith('.gz')), `compressed files expected: ${files.join(' ')}`);
    assert.ok(files.length >= forced, `at least one file per forced rotation: ${files.join(' ')}`);
    let seqs: number[] = [];
    let total = 0;
    for (const f of files) {
      const raw = await readFile(join(dir, 'logs', f));
      total += (await stat(join(dir, 'logs', f))).size;
      const text = f.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      for (const line of text.split('\n').filter(Boolean)) seqs.push(logRecord.parse(JSON.parse(line)).seq);
    }
    assert.equal(seqs.length, unitLogger.seq(), 'every record is in some file');
    const calls = await systemctl.calls();
    assert.ok(calls.length >= forced, `one reopen request per rotation run: ${calls.length}`);
    for (const c of calls) assert.deepEqual(c, RELOAD_ARGV);
    seqs = seqs.sort((a, b) => a - b);
    seqs.forEach((s, i) => assert.equal(s, i + 1, `seq gap at ${i + 1}`));
    const cap = (rotate + 1) * maxB;
    assert.ok(total < cap, `total ${total} B under the cap ${cap} B`);
    assert.ok(unitLogger.seq() > rate * 2, `written at the high rate (${unitLogger.seq()} records)`);
    const names = await readdir(join(dir, 'logs'));
    assert.ok(!names.some((n) => n.includes('tmp')), names.join(' '));
  } finally {
    process.off('SIGHUP', onHup);
    await cleanup();
  }
});
