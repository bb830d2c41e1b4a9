import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startBrowserHost } from '../../../src/browser-host.js';
import { openRuntime } from '../../../src/companion-runtime.js';
import { raw } from '../../helpers/host-helpers.js';

/**
 * The companion's own failures reach the window as a sentence without internals, through the
 * REAL core (app/'s createCompanion) and the browser-mode host, and are logged in full locally.
 */
test('an internal failure of the real core shows no path or system message in the window, and is logged in full', async () => {
  const base = mkdtempSync(join(tmpdir(), 'pitwall-internal-'));
  const dataDir = join(base, 'data-of-jane');
  mkdirSync(dataDir);
  // Where the sync keeps partial downloads is a file: its mkdir fails with ENOTDIR/EEXIST and the path.
  writeFileSync(join(dataDir, 'partial-sessions'), 'not a folder');
  const rendererDir = join(base, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>ok</title>');
  const logged: string[] = [];
  const runtime = await openRuntime({ dataDir, mode: 'browser', mdns: false, log: (line) => logged.push(line) });
  const host = await startBrowserHost({ handlers: runtime.handlers, events: runtime.events, rendererDir, onInternalError: (m, e) => logged.push(`${m}: ${String(e)}`) });
  try {
    const res = await raw(host.port, {
      method: 'POST',
      path: '/api/call',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
      body: JSON.stringify({ method: 'sync:start', params: {} }),
    });
    const body = JSON.parse(res.body) as { ok: boolean; error?: { code: string; message: string } };
    assert.equal(body.ok, false);
    assert.equal(body.error!.code, 'internal');
    assert.match(body.error!.message, /^The companion failed while handling sync:start\. The details are in its log\.$/);
    for (const secret of [base, 'data-of-jane', 'partial-sessions', 'ENOTDIR', 'EEXIST', 'mkdir']) assert.ok(!res.body.includes(secret), `the window saw "${secret}": ${res.body}`);
    assert.ok(logged.some((l) => l.includes('sync:start') && l.includes(join(dataDir, 'partial-sessions'))), `logged in full: ${logged.join('\n')}`);
  } finally {
    await host.close();
    await runtime.close();
    rmSync(base, { recursive: true, force: true });
  }
});
